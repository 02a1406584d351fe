#include "vision/image_io.h"

#include <cstdlib>
#include <cstring>
#include <string>

namespace fd {
namespace {

// One copy of the pixels: while decode_image runs, stb_image's allocation of exactly `want`
// bytes (its output buffer: w*h*3, +1 for JPEG) is served from the caller's Image::pixels. Other
// allocations, and a second one of that size while the first is live, go to malloc; if the
// result is not the sink after all, decode_image copies it (correct, just not copy-free).
struct Sink {
  std::vector<uint8_t>* v;
  size_t want;
  bool used;
};
thread_local Sink sink;

void* sink_malloc(size_t n) {
  if (!sink.v || sink.used || n != sink.want) return std::malloc(n);
  sink.used = true;
  sink.v->clear();  // no copy of old contents on growth
  sink.v->resize(n);
  return sink.v->data();
}

bool is_sink(void* p) { return sink.used && p == sink.v->data(); }

void sink_free(void* p) {
  if (is_sink(p)) sink.used = false;
  else std::free(p);
}

void* sink_realloc(void* p, size_t old, size_t n) {
  if (!is_sink(p)) return std::realloc(p, n);
  void* q = std::malloc(n);
  if (q) std::memcpy(q, p, old < n ? old : n), sink.used = false;
  return q;
}

}  // namespace
}  // namespace fd

#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#define STBI_MAX_DIMENSIONS 16384
#define STBI_MALLOC(n) fd::sink_malloc(n)
#define STBI_FREE(p) fd::sink_free(p)
#define STBI_REALLOC_SIZED(p, old, n) fd::sink_realloc(p, old, n)
#include "stb/stb_image.h"

namespace fd {
namespace {

// The pre-pass below rejects corrupt structure (Huffman tables with over 256 codes, scans using
// undefined tables: stb 2.27 read and wrote out of bounds on them, 2.30 no longer does), what
// stb 2.30 still mishandles (an empty first IDAT: memcpy to null) and bombs (huge declared sizes,
// data too short for them) before stb allocates anything. A check returns null when fine, else the problem; kSide or
// kPixels when the declared size is out of bounds (then w, h are set).
const char kSide[] = " is outside 1..16384";
const char kPixels[] = " pixels, over the 40 M pixel limit";
const char kShort[] = "file too short for its declared size";

unsigned be16(const uint8_t* p) { return p[0] << 8 | p[1]; }
uint32_t be32(const uint8_t* p) { return uint32_t(be16(p)) << 16 | be16(p + 2); }
unsigned le16(const uint8_t* p) { return p[1] << 8 | p[0]; }
uint32_t le32(const uint8_t* p) { return uint32_t(le16(p + 2)) << 16 | le16(p); }

struct Dims {
  int64_t w, h;
  const char* check() const {
    static_assert(kMaxImageSide == 16384 && kMaxImagePixels == 40000000, "update kSide and kPixels");
    return w < 1 || h < 1 || w > kMaxImageSide || h > kMaxImageSide ? kSide : w * h > kMaxImagePixels ? kPixels : nullptr;
  }
};

// JPEG: every marker segment up to EOI, the entropy-coded data after each SOS skipped by finding
// the next marker that is not RSTn or 0xFF00 stuffing.
const char* check_jpeg(const uint8_t* d, size_t n, Dims* dims) {
  unsigned dc = 0, ac = 0, dq = 0, covered = 0, nc = 0;  // table masks; components with DC coded
  uint8_t id[4], tq[4], hv[4];
  bool progressive = false;
  uint64_t blocks = 0, data = 0;
  for (size_t p = 2;;) {
    while (p < n && d[p] != 0xFF) ++p;  // stb skips padding between segments too
    while (p < n && d[p] == 0xFF) ++p;
    if (p >= n) return "no EOI marker (truncated?)";
    const unsigned m = d[p++];
    if (m == 0xD9) break;
    const size_t len = p + 2 <= n ? be16(d + p) : 0;
    if (len < 2 || len > n - p) return "segment overruns the file";
    const uint8_t* s = d + p + 2;
    size_t left = len - 2;
    p += len;
    if (m == 0xC4) {  // DHT: class, id, 16 code counts, values
      while (left) {
        if (left < 17 || s[0] >> 4 > 1 || (s[0] & 15) > 3) return "bad DHT";
        unsigned count = 0;
        for (int i = 1; i <= 16; ++i) count += s[i];
        if (count > 256) return "Huffman table with over 256 codes";
        if (count + 17 > left) return "bad DHT";
        (s[0] >> 4 ? ac : dc) |= 1 << (s[0] & 15);
        s += 17 + count, left -= 17 + count;
      }
    } else if (m == 0xDB) {  // DQT: precision, id, 64 values
      while (left) {
        const size_t size = s[0] >> 4 ? 129 : 65;
        if (s[0] >> 4 > 1 || (s[0] & 15) > 3 || left < size) return "bad DQT";
        dq |= 1 << (s[0] & 15);
        s += size, left -= size;
      }
    } else if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {  // SOFn
      if (m > 0xC2) return "not baseline or progressive";
      if (left < 6) return "bad SOF";
      *dims = {be16(s + 3), be16(s + 1)};
      if (const char* e = dims->check()) return e;
      nc = s[5];  // precision: stb rejects all but 8 bits
      if ((nc != 1 && nc != 3 && nc != 4) || left != 6 + 3 * nc) return "bad SOF";
      unsigned hmax = 1, vmax = 1;
      for (unsigned i = 0; i < nc; ++i) {
        id[i] = s[6 + 3 * i], hv[i] = s[7 + 3 * i], tq[i] = s[8 + 3 * i];
        if (hv[i] < 0x11 || hv[i] > 0x44 || (hv[i] & 15) - 1u > 3 || tq[i] > 3) return "bad SOF";
        if (hv[i] >> 4 > hmax) hmax = hv[i] >> 4;
        if ((hv[i] & 15) > vmax) vmax = hv[i] & 15;
      }
      blocks = 0;  // 8x8 blocks of all components: each costs at least 1 bit of scan data
      for (unsigned i = 0; i < nc; ++i) {
        blocks += ((dims->w * (hv[i] >> 4) + hmax - 1) / hmax + 7) / 8 * (((dims->h * (hv[i] & 15) + vmax - 1) / vmax + 7) / 8);
      }
      progressive = m == 0xC2;
    } else if (m == 0xDA) {  // SOS: components with table ids, spectral selection, approximation
      if (!nc) return "SOS before SOF";
      const unsigned ns = left ? s[0] : 0;
      if (ns < 1 || ns > nc || left != 4 + 2 * ns) return "bad SOS";
      const unsigned ss = s[1 + 2 * ns], ah = s[3 + 2 * ns] >> 4;
      // Tables read: baseline both; progressive DC-first scans DC, AC scans AC, DC refinement none.
      const bool use_dc = !progressive || (ss == 0 && ah == 0), use_ac = !progressive || ss > 0;
      for (unsigned i = 0; i < ns; ++i) {
        unsigned c = 0;
        while (c < nc && id[c] != s[1 + 2 * i]) ++c;
        if (c == nc) return "bad SOS";
        const unsigned t = s[2 + 2 * i];
        if ((use_dc && !(dc >> (t >> 4) & 1)) || (use_ac && !(ac >> (t & 15) & 1))) return "undefined Huffman table";
        if (!(dq >> tq[c] & 1)) return "undefined quantization table";
        if (ss == 0 && ah == 0) covered |= 1 << c;
      }
      const size_t start = p;
      for (;;) {
        const void* ff = std::memchr(d + p, 0xFF, n - p);
        if (!ff) return "no EOI marker (truncated?)";
        p = static_cast<const uint8_t*>(ff) - d;
        size_t q = p + 1;
        while (q < n && d[q] == 0xFF) ++q;
        if (q >= n) return "no EOI marker (truncated?)";
        if (d[q] && (d[q] & 0xF8) != 0xD0) break;  // a marker; p is at its first 0xFF
        p = q + 1;
      }
      if (p == start) return "scan without data";
      data += p - start;
    }
  }
  if (!nc) return "no SOF";
  if (covered != (1u << nc) - 1) return "a component is never scanned";
  return data * 8 < blocks ? kShort : nullptr;
}

// PNG: the chunks up to IEND. Zero-length IDATs (legal, but stb 2.27 copies the first into a null
// buffer) are dropped: `fixed` becomes the file without them.
const char* check_png(const uint8_t* d, size_t n, Dims* dims, std::vector<uint8_t>* fixed) {
  if (n < 33 || be32(d + 8) != 13 || std::memcmp(d + 12, "IHDR", 4)) return "first chunk is not IHDR";
  *dims = {be32(d + 16), be32(d + 20)};
  if (const char* e = dims->check()) return e;
  const unsigned depth = d[24], color = d[25];
  // Bit depths per color type: gray 1-16, RGB 8/16, palette 1-8, gray+alpha 8/16, RGBA 8/16.
  const bool depth_ok = (depth & (depth - 1)) == 0 && depth && depth <= 16 &&
                        (color == 0 || (color == 3 ? depth <= 8 : (color == 2 || color == 4 || color == 6) && depth >= 8));
  if (!depth_ok || d[26] || d[27] || d[28] > 1) return "bad IHDR";
  const unsigned channels = color == 3 ? 1 : (color & 2 ? 3 : 1) + (color >> 2 & 1);
  uint64_t idat = 0;
  size_t dropped = 0;
  for (size_t p = 33;; ) {
    if (n - p < 12) return "no IEND chunk (truncated?)";
    const uint32_t len = be32(d + p);
    if (len > n - p - 12) return "chunk overruns the file";
    const uint8_t* type = d + p + 4;
    if (!std::memcmp(type, "IEND", 4)) break;
    if (!std::memcmp(type, "IDAT", 4)) {
      if (!len) {
        if (fixed->empty()) fixed->assign(d, d + n);
        fixed->erase(fixed->begin() + (p - dropped), fixed->begin() + (p - dropped + 12));
        dropped += 12;
      }
      idat += len;
    } else if (!std::memcmp(type, "PLTE", 4) && idat) {
      return "PLTE after IDAT";
    }
    p += 12 + len;
  }
  if (!idat) return "no IDAT data";
  // Filtered rows (a lower bound for interlaced images too); zlib expands at most 1032:1.
  const uint64_t raw = dims->h * (1 + (dims->w * depth * channels + 7) / 8);
  return raw > 1032 * idat ? kShort : nullptr;
}

// BMP: the size fields against the file: for uncompressed pixels, offset + rows within the file
// (the last row's padding may be missing). RLE and other compressions: stb rejects them.
const char* check_bmp(const uint8_t* d, size_t n, Dims* dims) {
  if (n < 26) return kShort;
  const uint32_t offset = le32(d + 10), hsz = le32(d + 14);
  unsigned bpp, compression = 0;
  if (hsz == 12) {
    *dims = {le16(d + 18), le16(d + 20)}, bpp = le16(d + 24);
  } else {
    if (n < 34) return kShort;
    const int32_t h = int32_t(le32(d + 22));
    *dims = {int32_t(le32(d + 18)), h < 0 ? -int64_t(h) : h}, bpp = le16(d + 28), compression = le32(d + 30);
  }
  if (const char* e = dims->check()) return e;
  if (compression != 0 && compression != 3) return nullptr;
  const uint64_t row_bits = dims->w * bpp;
  return offset > n || ((row_bits + 31) / 32 * 4 * (dims->h - 1) + (row_bits + 7) / 8 > n - offset) ? kShort : nullptr;
}

}  // namespace

Status decode_image(const uint8_t* data, size_t size, Image* out) {
  out->width = out->height = out->channels = 0;
  out->pixels.clear();  // keeps the capacity: the sink reuses it
  if (data == nullptr || size == 0) return Status::error("cannot decode image: the data is empty (0 bytes)");
  const bool jpeg = size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;
  const bool png = size >= 8 && std::memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0;
  if (!jpeg && !png && (size < 2 || data[0] != 'B' || data[1] != 'M')) {
    return Status::error("cannot decode image: not a JPEG, PNG or BMP file (unrecognized header)");
  }
  std::string what = std::string("cannot decode ") + (jpeg ? "JPEG" : png ? "PNG" : "BMP") + " image: ";
  auto fail = [&what](const char* e) {
    what += e;
    return Status::error(std::move(what));
  };
  if (size > static_cast<size_t>(INT32_MAX)) return fail("file larger than 2 GB");
  Dims dims{0, 0};
  std::vector<uint8_t> fixed;
  const char* e = jpeg ? check_jpeg(data, size, &dims) : png ? check_png(data, size, &dims, &fixed) : check_bmp(data, size, &dims);
  if (e == kSide || e == kPixels) {
    what += e == kSide ? "size " : "image declares ";
    what += std::to_string(dims.w) + "x" + std::to_string(dims.h);
  }
  if (e) return fail(e);
  if (!fixed.empty()) data = fixed.data(), size = fixed.size();

  const size_t bytes = static_cast<size_t>(dims.w * dims.h * 3);
  sink = {&out->pixels, bytes + jpeg, false};
  stbi__g_failure_reason = nullptr;
  int w = 0, h = 0, comp = 0;
  stbi_uc* pixels = stbi_load_from_memory(data, static_cast<int>(size), &w, &h, &comp, 3);
  const bool in_place = is_sink(pixels);
  sink = {};
  if (pixels == nullptr || w != dims.w || h != dims.h) {
    const char* reason = pixels ? "header mismatch" : stbi__g_failure_reason;
    if (!in_place) std::free(pixels);
    out->pixels.clear();
    return fail(reason ? reason : "corrupt data");
  }
  if (in_place) {
    out->pixels.resize(bytes);
  } else {
    const uint8_t* copy = pixels;
    out->pixels.assign(copy, copy + bytes);
    std::free(pixels);
  }
  out->width = w;
  out->height = h;
  out->channels = 3;
  return Status();
}

}  // namespace fd
