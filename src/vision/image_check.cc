// The pre-pass walks each container far enough to stand in for the checks stb_image 2.27 lacks:
//  - JPEG: Huffman tables with more than 256 codes (an out-of-bounds write while building the
//    table, reached from stbi_info too); scans that use a Huffman or quantization table no earlier
//    segment defined (stb reads its uninitialized tables); components no scan ever codes.
//  - PNG: zero-length IDAT chunks (stb copies them through a null pointer) and short palettes (stb
//    reads out-of-range indices from an uninitialized stack palette): both repaired in a copy.
//  - BMP: palette indices past the palette (the same uninitialized read), palette sizes stb
//    miscomputes, pixel data that runs past the file (stb decodes zeros for it).
//  - All: declared sizes over kMaxImageSide / kMaxImagePixels, and headers declaring far more
//    pixels than the file's data can encode (decompression bombs: stb allocates for the header).
#include "vision/image_check.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>

#include "vision/image_io.h"

namespace fd {
namespace {

const char kJpeg[] = "JPEG";
const char kPng[] = "PNG";
const char kBmp[] = "BMP";

uint32_t be16(const uint8_t* p) { return static_cast<uint32_t>(p[0]) << 8 | p[1]; }
uint32_t be32(const uint8_t* p) { return be16(p) << 16 | be16(p + 2); }
uint32_t le16(const uint8_t* p) { return static_cast<uint32_t>(p[1]) << 8 | p[0]; }
uint32_t le32(const uint8_t* p) { return le16(p + 2) << 16 | le16(p); }

std::string str(uint64_t v) { return std::to_string(v); }
std::string dims(uint64_t w, uint64_t h) { return str(w) + "x" + str(h); }

Status fail(const char* format, const std::string& why) {
  return Status::error(std::string("cannot decode ") + format + " image: " + why);
}

// The limits every format shares, checked on the header's numbers before anything is decoded.
Status check_size(const char* format, uint64_t w, uint64_t h) {
  if (w == 0 || h == 0 || w > kMaxImageSide || h > kMaxImageSide) {
    return fail(format, "size " + dims(w, h) + " is outside 1.." + str(kMaxImageSide));
  }
  if (w * h > static_cast<uint64_t>(kMaxImagePixels)) {
    return fail(format, "image declares " + dims(w, h) + " pixels, over the " + str(kMaxImagePixels / 1000000) +
                            " M pixel limit");
  }
  return Status();
}

// ---- JPEG (ITU-T T.81): markers are 0xFF, a code byte, then (most) a big-endian length. ----

struct JpegComponent {
  int id = 0;
  int h = 1, v = 1;     // sampling factors
  int tq = 0;           // quantization table
  uint64_t blocks = 0;  // 8x8 blocks covering the component's samples
  bool coded = false;   // a scan has coded its DC coefficients
};

struct JpegState {
  bool frame = false;
  bool progressive = false;
  uint32_t width = 0, height = 0;
  int count = 0;
  JpegComponent comp[4];
  bool huffman[2][4] = {};  // [0 DC / 1 AC][table id] defined by a DHT segment so far
  bool quant[4] = {};       // defined by a DQT segment so far
  int scans = 0;
  uint64_t scan_bytes = 0;  // entropy-coded bytes after all scan headers
};

std::string marker_name(uint32_t m) {
  static const char* hex = "0123456789ABCDEF";
  return std::string("0xFF") + hex[m >> 4] + hex[m & 15];
}

// SOF0 (baseline), SOF1 (extended sequential) or SOF2 (progressive), all Huffman-coded.
Status jpeg_frame(const uint8_t* s, size_t n, uint32_t marker, JpegState* st) {
  if (st->frame) return fail(kJpeg, "the file has a second frame header (SOF); featherdet decodes one frame");
  if (n < 6) return fail(kJpeg, "the frame header (SOF) is cut short");
  st->height = be16(s + 1);
  st->width = be16(s + 3);
  if (st->height == 0) return fail(kJpeg, "the height is 0 (set later by a DNL marker), which is not supported");
  FD_RETURN_IF_ERROR(check_size(kJpeg, st->width, st->height));
  if (s[0] != 8) return fail(kJpeg, "sample precision is " + str(s[0]) + " bits; featherdet decodes 8-bit JPEG only");
  st->count = s[5];
  if (st->count != 1 && st->count != 3 && st->count != 4) {
    return fail(kJpeg, "the frame has " + str(st->count) + " color components; featherdet decodes 1, 3 or 4");
  }
  if (n != 6 + 3 * static_cast<size_t>(st->count)) {
    return fail(kJpeg, "the frame header (SOF) is " + str(n + 2) + " bytes, not the " + str(8 + 3 * st->count) +
                           " its " + str(st->count) + " components take");
  }
  int h_max = 1, v_max = 1;
  for (int i = 0; i < st->count; ++i) {
    JpegComponent& c = st->comp[i];
    c.id = s[6 + 3 * i];
    c.h = s[7 + 3 * i] >> 4;
    c.v = s[7 + 3 * i] & 15;
    c.tq = s[8 + 3 * i];
    if (c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4) {
      return fail(kJpeg, "component id " + str(c.id) + " has sampling factors " + dims(c.h, c.v) +
                             " (each must be 1..4)");
    }
    if (c.tq > 3) {
      return fail(kJpeg, "component id " + str(c.id) + " selects quantization table " + str(c.tq) + " (0..3)");
    }
    for (int j = 0; j < i; ++j) {
      if (st->comp[j].id == c.id) return fail(kJpeg, "two components share the id " + str(c.id));
    }
    h_max = std::max(h_max, c.h);
    v_max = std::max(v_max, c.v);
  }
  for (int i = 0; i < st->count; ++i) {
    JpegComponent& c = st->comp[i];
    if (h_max % c.h != 0 || v_max % c.v != 0) {
      return fail(kJpeg, "component id " + str(c.id) + " has sampling factors " + dims(c.h, c.v) +
                             " that do not divide the largest (" + dims(h_max, v_max) + ")");
    }
    const uint64_t cx = (static_cast<uint64_t>(st->width) * c.h + h_max - 1) / h_max;
    const uint64_t cy = (static_cast<uint64_t>(st->height) * c.v + v_max - 1) / v_max;
    c.blocks = ((cx + 7) / 8) * ((cy + 7) / 8);
  }
  st->frame = true;
  st->progressive = marker == 0xC2;
  return Status();
}

// DHT: one or more tables, each a class/id byte, 16 code counts (lengths 1..16) and the symbols.
Status jpeg_huffman(const uint8_t* s, size_t n, JpegState* st) {
  size_t p = 0;
  while (p < n) {
    if (n - p < 17) return fail(kJpeg, "a Huffman table (DHT) is cut short");
    const int tc = s[p] >> 4, th = s[p] & 15;
    if (tc > 1 || th > 3) {
      return fail(kJpeg, "a Huffman table (DHT) has class " + str(tc) + " and id " + str(th) +
                             "; the class must be 0 (DC) or 1 (AC), the id 0..3");
    }
    const std::string name = std::string(tc == 0 ? "DC" : "AC") + " Huffman table " + str(th);
    uint32_t total = 0, code = 0;
    for (int len = 1; len <= 16; ++len) {
      const uint32_t count = s[p + len];
      total += count;
      // Canonical codes: the codes of each length follow the shorter ones; they must fit in `len` bits.
      code += count;
      if (count > 0 && code > (1u << len)) {
        return fail(kJpeg, name + " has more codes of length " + str(len) + " than that length can hold");
      }
      code <<= 1;
    }
    if (total > 256) return fail(kJpeg, name + " declares " + str(total) + " codes; a table holds at most 256");
    p += 17;
    if (n - p < total) return fail(kJpeg, name + " is cut short: " + str(total) + " symbols, " + str(n - p) + " bytes");
    p += total;
    st->huffman[tc][th] = true;
  }
  return Status();
}

// DQT: one or more tables, each a precision/id byte and 64 entries of 8 or 16 bits.
Status jpeg_quant(const uint8_t* s, size_t n, JpegState* st) {
  size_t p = 0;
  while (p < n) {
    const int pq = s[p] >> 4, tq = s[p] & 15;
    if (pq > 1 || tq > 3) {
      return fail(kJpeg, "a quantization table (DQT) has precision " + str(pq) + " and id " + str(tq) +
                             "; the precision must be 0 or 1, the id 0..3");
    }
    const size_t size = 1 + 64 * static_cast<size_t>(pq + 1);
    if (n - p < size) return fail(kJpeg, "quantization table " + str(tq) + " (DQT) is cut short");
    st->quant[tq] = true;
    p += size;
  }
  return Status();
}

// SOS header: the components a scan codes, their Huffman tables, and the coefficients it covers.
Status jpeg_scan(const uint8_t* s, size_t n, JpegState* st) {
  if (!st->frame) return fail(kJpeg, "a scan (SOS) comes before the frame header (SOF)");
  if (n < 1) return fail(kJpeg, "a scan header (SOS) is cut short");
  const int count = s[0];
  if (count < 1 || count > st->count) {
    return fail(kJpeg, "a scan codes " + str(count) + " components; the frame has " + str(st->count));
  }
  if (n != 4 + 2 * static_cast<size_t>(count)) {
    return fail(kJpeg, "a scan header (SOS) is " + str(n + 2) + " bytes, not the " + str(6 + 2 * count) + " its " +
                           str(count) + " components take");
  }
  const int ss = s[1 + 2 * count], se = s[2 + 2 * count];
  const int ah = s[3 + 2 * count] >> 4, al = s[3 + 2 * count] & 15;
  const std::string scan = "scan " + str(st->scans + 1);
  if (st->progressive) {
    if (ss > se || se > 63 || ah > 13 || al > 13 || (ss == 0 && se != 0) || (ss != 0 && count != 1)) {
      return fail(kJpeg, scan + " has spectral selection " + str(ss) + ".." + str(se) + " and successive " +
                             "approximation " + str(ah) + "/" + str(al) + " for " + str(count) +
                             " components, not a valid progressive scan");
    }
  } else if (ss != 0 || ah != 0 || al != 0) {
    return fail(kJpeg, scan + " sets progressive parameters in a sequential (non-progressive) frame");
  }
  // A sequential scan codes all coefficients with both tables; a progressive scan codes DC
  // (first pass: DC table, refinement: raw bits) or a band of AC coefficients (AC table).
  const bool uses_dc = !st->progressive || (ss == 0 && ah == 0);
  const bool uses_ac = !st->progressive || ss != 0;
  bool listed[4] = {};
  for (int i = 0; i < count; ++i) {
    const int id = s[1 + 2 * i], td = s[2 + 2 * i] >> 4, ta = s[2 + 2 * i] & 15;
    int k = 0;
    while (k < st->count && st->comp[k].id != id) ++k;
    if (k == st->count) return fail(kJpeg, scan + " codes component id " + str(id) + ", which the frame does not have");
    if (listed[k]) return fail(kJpeg, scan + " lists component id " + str(id) + " twice");
    listed[k] = true;
    if (td > 3 || ta > 3) return fail(kJpeg, scan + " selects Huffman tables " + str(td) + "/" + str(ta) + " (0..3)");
    for (int tc = 0; tc < 2; ++tc) {
      const int table = tc == 0 ? td : ta;
      if ((tc == 0 ? uses_dc : uses_ac) && !st->huffman[tc][table]) {
        return fail(kJpeg, scan + " uses " + (tc == 0 ? "DC" : "AC") + " Huffman table " + str(table) +
                               " for component id " + str(id) + ", but no DHT segment before it defines that table");
      }
    }
    JpegComponent& c = st->comp[k];
    if (!st->quant[c.tq]) {
      return fail(kJpeg, "component id " + str(id) + " uses quantization table " + str(c.tq) +
                             ", but no DQT segment before " + scan + " defines that table");
    }
    if (uses_dc) c.coded = true;
  }
  ++st->scans;
  return Status();
}

// Skips the entropy-coded data after a scan header: everything up to the first marker other than a
// stuffed zero (0xFF00) or a restart marker (RST0..7). Returns the marker's position (or `n`).
size_t jpeg_skip_scan_data(const uint8_t* d, size_t n, size_t pos, JpegState* st) {
  const size_t start = pos;
  while (pos < n) {
    if (d[pos] != 0xFF) {
      ++pos;
      continue;
    }
    size_t q = pos + 1;
    while (q < n && d[q] == 0xFF) ++q;  // fill bytes
    if (q < n && d[q] != 0x00 && (d[q] < 0xD0 || d[q] > 0xD7)) break;
    pos = q + 1;
  }
  pos = std::min(pos, n);
  st->scan_bytes += pos - start;
  return pos;
}

Status check_jpeg(const uint8_t* d, size_t n, ImageCheck* out) {
  JpegState st;
  size_t pos = 2;  // after SOI
  for (;;) {
    // stb_image skips stray bytes before a marker (in the header) and fill bytes (0xFF) anywhere.
    while (pos < n && d[pos] != 0xFF) ++pos;
    while (pos < n && d[pos] == 0xFF) ++pos;
    if (pos >= n) return fail(kJpeg, "the file ends before its end-of-image marker (truncated?)");
    const size_t at = pos - 1;
    const uint32_t m = d[pos++];
    if (m == 0xD9) break;  // EOI
    if (m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD8)) {
      return fail(kJpeg, "unexpected marker " + marker_name(m) + " at byte " + str(at));
    }
    if (n - pos < 2) return fail(kJpeg, "the file ends inside marker " + marker_name(m) + " at byte " + str(at));
    const size_t len = be16(d + pos);
    if (len < 2 || len > n - pos) {
      return fail(kJpeg, "marker " + marker_name(m) + " at byte " + str(at) + " declares a " + str(len) +
                             "-byte segment, past the end of the file (truncated?)");
    }
    const uint8_t* s = d + pos + 2;
    const size_t sn = len - 2;
    pos += len;
    switch (m) {
      case 0xC0:
      case 0xC1:
      case 0xC2:
        FD_RETURN_IF_ERROR(jpeg_frame(s, sn, m, &st));
        break;
      case 0xC4:
        FD_RETURN_IF_ERROR(jpeg_huffman(s, sn, &st));
        break;
      case 0xDB:
        FD_RETURN_IF_ERROR(jpeg_quant(s, sn, &st));
        break;
      case 0xDA:
        FD_RETURN_IF_ERROR(jpeg_scan(s, sn, &st));
        pos = jpeg_skip_scan_data(d, n, pos, &st);
        break;
      case 0xDD:  // DRI: the restart interval
        if (sn != 2) return fail(kJpeg, "the restart interval (DRI) segment is " + str(len) + " bytes, not 4");
        break;
      case 0xDC:  // DNL: the height again, after the first scan
        if (!st.frame || sn != 2 || be16(s) != st.height) {
          return fail(kJpeg, "a number-of-lines (DNL) segment does not repeat the frame's height");
        }
        break;
      default:
        if ((m >= 0xE0 && m <= 0xEF) || m == 0xFE) break;  // APPn, COM
        if ((m >= 0xC3 && m <= 0xCF) && m != 0xC4 && m != 0xC8 && m != 0xCC) {
          return fail(kJpeg, "frame type " + marker_name(m) +
                                 " (lossless, hierarchical or arithmetic-coded JPEG) is not supported");
        }
        return fail(kJpeg, "unsupported marker " + marker_name(m) + " at byte " + str(at));
    }
  }
  if (!st.frame) return fail(kJpeg, "the file has no frame header (SOF)");
  if (st.scans == 0) return fail(kJpeg, "the file has no scan (SOS), so no image data");
  uint64_t blocks = 0;
  for (int i = 0; i < st.count; ++i) {
    if (!st.comp[i].coded) {
      return fail(kJpeg, "no scan codes the " + std::string(st.progressive ? "DC coefficients of " : "") +
                             "component id " + str(st.comp[i].id) + " (incomplete file?)");
    }
    blocks += st.comp[i].blocks;
  }
  // Every 8x8 block takes at least one bit (a Huffman code for its DC difference).
  if (st.scan_bytes * 8 < blocks) {
    return fail(kJpeg, "image declares " + dims(st.width, st.height) + " pixels (" + str(blocks) +
                           " 8x8 blocks) but its scans hold " + str(st.scan_bytes) + " bytes, fewer than the " +
                           str((blocks + 7) / 8) + " even one bit per block takes");
  }
  out->format = kJpeg;
  out->width = static_cast<int>(st.width);
  out->height = static_cast<int>(st.height);
  return Status();
}

// ---- PNG: the signature, then chunks of length (big-endian), type, data and CRC. ----

bool is_type(const uint8_t* type, const char* name) { return std::memcmp(type, name, 4) == 0; }

std::string chunk_name(const uint8_t* type) {
  std::string s;
  for (int i = 0; i < 4; ++i) s += std::isalpha(type[i]) ? static_cast<char>(type[i]) : '?';
  return s;
}

// Samples per pixel of a color type, 0 for an invalid type.
int png_channels(int color) {
  switch (color) {
    case 0: return 1;  // gray
    case 2: return 3;  // RGB
    case 3: return 1;  // palette index
    case 4: return 2;  // gray + alpha
    case 6: return 4;  // RGBA
    default: return 0;
  }
}

bool png_depth_ok(int color, int depth) {
  if (color == 0) return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
  if (color == 3) return depth == 1 || depth == 2 || depth == 4 || depth == 8;
  return depth == 8 || depth == 16;
}

// The PNG (ISO 3309) CRC of a chunk's type and data, bit by bit: it runs once per repaired palette.
uint32_t crc32(const uint8_t* p, size_t n) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  return crc ^ 0xFFFFFFFFu;
}

void put_be32(std::vector<uint8_t>* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<uint8_t>(v >> shift));
}

// The file without zero-length IDAT chunks and with PLTE padded (black) to `entries` entries; the
// pixels are the same, CRCs stay valid.
std::vector<uint8_t> repair_png(const uint8_t* d, size_t n, uint32_t entries) {
  std::vector<uint8_t> out(d, d + 8);
  out.reserve(n + 3 * entries + 12);
  size_t pos = 8;
  for (;;) {
    const uint32_t len = be32(d + pos);
    const uint8_t* type = d + pos + 4;
    const size_t end = std::min(n, pos + 12 + len);
    if (is_type(type, "PLTE") && len / 3 < entries) {
      const size_t start = out.size();
      put_be32(&out, 3 * entries);
      out.insert(out.end(), type, type + 4 + len);
      out.resize(out.size() + 3 * entries - len, 0);
      put_be32(&out, crc32(&out[start + 4], out.size() - start - 4));
    } else if (!(is_type(type, "IDAT") && len == 0)) {
      out.insert(out.end(), d + pos, d + end);
    }
    if (is_type(type, "IEND")) break;
    pos = end;
  }
  return out;
}

Status check_png(const uint8_t* d, size_t n, ImageCheck* out) {
  uint32_t width = 0, height = 0;
  int depth = 0, color = -1;
  bool ihdr = false, zero_idat = false;
  uint32_t palette = 0;  // PLTE entries
  uint64_t idat_bytes = 0;
  size_t pos = 8;
  for (;;) {
    if (n - pos < 8) return fail(kPng, "the file ends before its IEND chunk (truncated?)");
    const uint32_t len = be32(d + pos);
    const uint8_t* type = d + pos + 4;
    const uint8_t* body = d + pos + 8;
    const std::string name = chunk_name(type);
    if (len > 0x7FFFFFFFu || len > n - pos - 8) {
      return fail(kPng, "chunk " + name + " at byte " + str(pos) + " declares " + str(len) +
                            " bytes, past the end of the file (truncated?)");
    }
    const bool last = is_type(type, "IEND");
    if (!last && n - pos - 8 - len < 4) return fail(kPng, "the file ends inside chunk " + name + " (truncated?)");
    if (is_type(type, "IHDR")) {
      if (ihdr) return fail(kPng, "the file has a second IHDR chunk");
      if (len != 13) return fail(kPng, "the IHDR chunk is " + str(len) + " bytes, not 13");
      ihdr = true;
      width = be32(body);
      height = be32(body + 4);
      FD_RETURN_IF_ERROR(check_size(kPng, width, height));
      depth = body[8];
      color = body[9];
      if (png_channels(color) == 0 || !png_depth_ok(color, depth)) {
        return fail(kPng, "color type " + str(color) + " with bit depth " + str(depth) + " is not a valid combination");
      }
      if (body[10] != 0 || body[11] != 0 || body[12] > 1) {
        return fail(kPng, "IHDR declares compression " + str(body[10]) + ", filter " + str(body[11]) +
                              " and interlace " + str(body[12]) + "; PNG defines 0, 0 and 0 or 1");
      }
    } else if (!ihdr && !is_type(type, "CgBI")) {  // Apple's CgBI chunk precedes IHDR
      return fail(kPng, "the first chunk is " + name + ", not IHDR");
    } else if (is_type(type, "PLTE")) {
      if (palette > 0) return fail(kPng, "the file has a second PLTE chunk");
      if (len == 0 || len % 3 != 0 || len > 3 * 256) {
        return fail(kPng, "the PLTE chunk is " + str(len) + " bytes, not 1..256 RGB entries");
      }
      palette = len / 3;
    } else if (is_type(type, "IDAT")) {
      if (color == 3 && palette == 0) return fail(kPng, "an indexed-color image has no PLTE chunk before its data");
      zero_idat |= len == 0;
      idat_bytes += len;
    } else if (last) {
      break;
    }
    pos += 12 + static_cast<size_t>(len);
  }
  if (idat_bytes == 0) return fail(kPng, "the file has no image data (IDAT)");
  // Filtered rows: a filter byte and the packed samples per row (interlacing only adds bytes).
  const uint64_t row = (static_cast<uint64_t>(width) * png_channels(color) * depth + 7) / 8;
  const uint64_t raw = static_cast<uint64_t>(height) * (1 + row);
  // Deflate codes at most 258 bytes in 2 bits (a maximal match with 1-bit codes), so at most 1032:1.
  if (idat_bytes * 1032 < raw) {
    return fail(kPng, "image declares " + dims(width, height) + " pixels (" + str(raw) +
                          " bytes once inflated) but holds " + str(idat_bytes) +
                          " bytes of compressed data; deflate expands at most 1032:1");
  }
  const uint32_t entries = color == 3 ? 1u << depth : 0;
  if (zero_idat || palette < entries) out->repaired = repair_png(d, n, entries);
  out->format = kPng;
  out->width = static_cast<int>(width);
  out->height = static_cast<int>(height);
  return Status();
}

// ---- BMP: a 14-byte file header, an info header (12 to 124 bytes), a palette, bottom-up rows. ----

Status check_bmp(const uint8_t* d, size_t n, ImageCheck* out) {
  if (n < 26) return fail(kBmp, "the file is " + str(n) + " bytes, too short for a BMP header");
  const uint32_t offset = le32(d + 10), hsz = le32(d + 14);
  if (hsz != 12 && hsz != 40 && hsz != 56 && hsz != 108 && hsz != 124) {
    return fail(kBmp, "the info header is " + str(hsz) + " bytes; featherdet reads 12, 40, 56, 108 and 124");
  }
  const bool os2 = hsz == 12;
  const int64_t width = os2 ? le16(d + 18) : static_cast<int32_t>(le32(d + 18));
  const int64_t rows = os2 ? le16(d + 20) : static_cast<int32_t>(le32(d + 22));  // negative: top-down
  const uint64_t height = rows < 0 ? static_cast<uint64_t>(-rows) : static_cast<uint64_t>(rows);
  if (width < 0) return fail(kBmp, "the width is negative (" + std::to_string(width) + ")");
  FD_RETURN_IF_ERROR(check_size(kBmp, static_cast<uint64_t>(width), height));
  const size_t fields = os2 ? 26 : 34;  // through the planes, bit depth and compression fields
  if (n < fields) return fail(kBmp, "the file ends inside its header (" + str(n) + " bytes)");
  const uint32_t planes = le16(d + (os2 ? 22 : 26)), bpp = le16(d + (os2 ? 24 : 28));
  const uint32_t compression = os2 ? 0 : le32(d + 30);
  if (planes != 1) return fail(kBmp, "the header declares " + str(planes) + " color planes, not 1");
  if (bpp != 1 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32) {
    return fail(kBmp, "bit depth " + str(bpp) + " is not supported (1, 4, 8, 16, 24 or 32)");
  }
  if (compression != 0 && compression != 3) {
    return fail(kBmp, "compression " + str(compression) + " (RLE, JPEG or PNG) is not supported");
  }
  if (compression == 3 && bpp != 16 && bpp != 32) {
    return fail(kBmp, "bit-field compression needs 16 or 32 bits per pixel, not " + str(bpp));
  }
  // stb_image reads three bit-field masks after a 40- or 56-byte header when compression is 3.
  const size_t header = 14 + hsz + ((hsz == 40 || hsz == 56) && compression == 3 ? 12 : 0);
  if (n < header) return fail(kBmp, "the file ends inside its header (" + str(n) + " of " + str(header) + " bytes)");
  if (offset < header) {
    return fail(kBmp, "the pixel data offset " + str(offset) + " points inside the " + str(header) + "-byte header");
  }
  const uint64_t row = (static_cast<uint64_t>(width) * bpp + 7) / 8;  // bytes read per row
  const uint64_t stride = (row + 3) & ~static_cast<uint64_t>(3);    // rows are padded to 4 bytes
  const uint64_t end = offset + stride * (height - 1) + row;
  if (end > n) {
    return fail(kBmp, "image declares " + dims(width, height) + " pixels at " + str(bpp) + " bits (" +
                          str(stride * height) + " bytes of rows from byte " + str(offset) + ") but the file has " +
                          str(n) + " bytes");
  }
  if (bpp <= 8) {
    // stb_image sizes the palette from the pixel offset (an OS/2 header as if it were 24 bytes) and
    // leaves the entries past it uninitialized: every index must stay inside.
    const int64_t start = offset;
    const int64_t entries = os2 ? (start - 38) / 3 : (start - 14 - hsz) / 4;
    if (entries < 1 || entries > 256) {
      return fail(kBmp, "the pixel data offset " + str(offset) + " leaves room for " + std::to_string(entries) +
                            " palette entries, not 1..256");
    }
    const uint32_t per_byte = 8 / bpp, mask = (1u << bpp) - 1;
    for (uint64_t y = 0; y < height; ++y) {
      const uint8_t* p = d + offset + y * stride;
      for (uint64_t x = 0; x < static_cast<uint64_t>(width); ++x) {
        const uint32_t shift = 8 - bpp * (1 + x % per_byte);
        const uint32_t index = (p[x / per_byte] >> shift) & mask;
        if (index >= entries) {
          return fail(kBmp, "a pixel uses palette entry " + str(index) + ", past the " + std::to_string(entries) +
                                "-entry palette");
        }
      }
    }
  }
  out->format = kBmp;
  out->width = static_cast<int>(width);
  out->height = static_cast<int>(height);
  return Status();
}

}  // namespace

Status check_image(const uint8_t* data, size_t size, ImageCheck* out) {
  if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return check_jpeg(data, size, out);
  if (size >= 8 && std::memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0) return check_png(data, size, out);
  if (size >= 2 && data[0] == 'B' && data[1] == 'M') return check_bmp(data, size, out);
  return Status::error("cannot decode image: not a JPEG, PNG or BMP file (unrecognized header)");
}

}  // namespace fd
