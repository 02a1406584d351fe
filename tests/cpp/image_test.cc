// Image decoding (stb_image: BMP, JPEG, PNG) and bilinear resizing with half-pixel centers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "vision/image_io.h"
#include "vision/resize.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include "stb/stb_image_write.h"
#include "stb/stb_image.h"  // declarations only: the implementation is in vision/image_io.cc

namespace fd {
namespace {

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

std::string image_path(const char* name) { return std::string(FD_SHARED_DIR) + "/conformance/images/" + name; }

uint32_t le32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24; }

// Decodes an uncompressed 24-bit bottom-up BMP by hand: the expectation for stb_image.
Image naive_bmp24(const std::vector<uint8_t>& b) {
  Image img;
  const uint32_t offset = le32(&b[10]);
  img.width = static_cast<int>(le32(&b[18]));
  img.height = static_cast<int>(le32(&b[22]));
  img.channels = 3;
  const size_t stride = (static_cast<size_t>(img.width) * 3 + 3) & ~static_cast<size_t>(3);
  img.pixels.resize(static_cast<size_t>(img.width) * img.height * 3);
  for (int y = 0; y < img.height; ++y) {
    const uint8_t* row = &b[offset + (img.height - 1 - y) * stride];
    for (int x = 0; x < img.width; ++x) {
      uint8_t* out = &img.pixels[(static_cast<size_t>(y) * img.width + x) * 3];
      out[0] = row[x * 3 + 2];
      out[1] = row[x * 3 + 1];
      out[2] = row[x * 3 + 0];
    }
  }
  return img;
}

TEST(ImageDecode, BmpMatchesHandDecodedPixels) {
  for (const char* name : {"grace_hopper.bmp", "cat.bmp"}) {
    auto bytes = read_file(image_path(name));
    ASSERT_GT(bytes.size(), 54u) << name;
    ASSERT_EQ(le32(&bytes[30]), 0u) << name << " is expected to be uncompressed";
    Image expect = naive_bmp24(bytes);
    Image got;
    Status s = decode_image(bytes.data(), bytes.size(), &got);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(got.width, expect.width);
    EXPECT_EQ(got.height, expect.height);
    EXPECT_EQ(got.channels, 3);
    EXPECT_TRUE(got.pixels == expect.pixels) << name;
  }
  Image g;
  auto bytes = read_file(image_path("grace_hopper.bmp"));
  ASSERT_TRUE(decode_image(bytes.data(), bytes.size(), &g).ok());
  EXPECT_EQ(g.width, 512);
  EXPECT_EQ(g.height, 600);
}

TEST(ImageDecode, JpegHasHeaderSizeAndPlausiblePixels) {
  struct Case { const char* name; int w, h; };
  for (Case c : {Case{"face.jpg", 512, 355}, Case{"kite_and_cold.jpg", 1352, 900}}) {
    auto bytes = read_file(image_path(c.name));
    Image img;
    Status s = decode_image(bytes.data(), bytes.size(), &img);
    ASSERT_TRUE(s.ok()) << c.name << ": " << s.message();
    EXPECT_EQ(img.width, c.w) << c.name;
    EXPECT_EQ(img.height, c.h) << c.name;
    ASSERT_EQ(img.pixels.size(), static_cast<size_t>(c.w) * c.h * 3);
    // A real photo: not constant, and uses a wide range of values.
    uint8_t lo = 255, hi = 0;
    for (uint8_t v : img.pixels) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    EXPECT_LT(lo, 40) << c.name;
    EXPECT_GT(hi, 215) << c.name;
  }
}

void append_bytes(void* ctx, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(ctx);
  const uint8_t* p = static_cast<const uint8_t*>(data);
  out->insert(out->end(), p, p + size);
}

TEST(ImageDecode, PngRoundTripsExactly) {
  const int w = 37, h = 19;
  std::mt19937 rng(7);
  for (int comp : {3, 4, 1}) {
    std::vector<uint8_t> src(static_cast<size_t>(w) * h * comp);
    for (auto& v : src) v = static_cast<uint8_t>(rng());
    std::vector<uint8_t> png;
    ASSERT_NE(stbi_write_png_to_func(append_bytes, &png, w, h, comp, src.data(), w * comp), 0);
    Image img;
    Status s = decode_image(png.data(), png.size(), &img);
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_EQ(img.width, w);
    ASSERT_EQ(img.height, h);
    for (int i = 0; i < w * h; ++i) {
      for (int c = 0; c < 3; ++c) {
        const uint8_t want = comp == 1 ? src[i] : src[i * comp + c];
        ASSERT_EQ(img.pixels[i * 3 + c], want) << "comp " << comp << " pixel " << i << " channel " << c;
      }
    }
  }
}

TEST(ImageDecode, RejectsEmptyUnknownAndCorruptData) {
  Image img;
  Status s = decode_image(nullptr, 0, &img);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("empty"), std::string::npos) << s.message();

  std::string text = "hello, this is not an image at all";
  s = decode_image(reinterpret_cast<const uint8_t*>(text.data()), text.size(), &img);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not a JPEG, PNG or BMP"), std::string::npos) << s.message();

  // A GIF is a real image format featherdet does not decode.
  const uint8_t gif[] = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0};
  s = decode_image(gif, sizeof(gif), &img);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not a JPEG, PNG or BMP"), std::string::npos) << s.message();

  auto jpeg = read_file(image_path("face.jpg"));
  jpeg.resize(300);
  s = decode_image(jpeg.data(), jpeg.size(), &img);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot decode JPEG image"), std::string::npos) << s.message();

  auto bmp = read_file(image_path("cat.bmp"));
  bmp.resize(40);  // cut inside the info header
  s = decode_image(bmp.data(), bmp.size(), &img);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot decode BMP image"), std::string::npos) << s.message();
}

TEST(ImageDecode, RejectsHugeDimensions) {
  auto bmp = read_file(image_path("cat.bmp"));
  const uint32_t huge = 100000;
  std::memcpy(&bmp[18], &huge, 4);  // width (little-endian host)
  Image img;
  Status s = decode_image(bmp.data(), bmp.size(), &img);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "cannot decode BMP image: size 100000x" + std::to_string(le32(&bmp[22])) + " is outside 1..16384");
}

// ---- Small files built here: PNG (stored zlib), BMP, JPEG (hand-coded Huffman data) ----

using Bytes = std::vector<uint8_t>;

void put_be(Bytes& b, uint32_t v, int n) {
  for (int i = n - 1; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_le(Bytes& b, uint32_t v, int n) {
  for (int i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint32_t crc32(const uint8_t* p, size_t n) {
  uint32_t c = 0xFFFFFFFF;
  for (size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
  }
  return ~c;
}

void png_chunk(Bytes& f, const char* type, const Bytes& data) {
  put_be(f, static_cast<uint32_t>(data.size()), 4);
  const size_t start = f.size();
  f.insert(f.end(), type, type + 4);
  f.insert(f.end(), data.begin(), data.end());
  put_be(f, crc32(&f[start], f.size() - start), 4);
}

// zlib stream of stored (uncompressed) deflate blocks.
Bytes zlib_stored(const Bytes& raw) {
  Bytes z = {0x78, 0x01};
  size_t at = 0;
  do {
    const size_t n = std::min<size_t>(raw.size() - at, 65535);
    z.push_back(at + n == raw.size());
    put_le(z, static_cast<uint32_t>(n), 2);
    put_le(z, static_cast<uint32_t>(~n & 0xFFFF), 2);
    z.insert(z.end(), raw.begin() + at, raw.begin() + at + n);
    at += n;
  } while (at < raw.size());
  uint32_t a = 1, b = 0;
  for (uint8_t v : raw) a = (a + v) % 65521, b = (b + a) % 65521;
  put_be(z, b << 16 | a, 4);
  return z;
}

struct PngSpec {
  uint32_t w, h;
  int depth, color;
  Bytes rows;              // filtered scanlines: a filter byte, then the row
  Bytes plte = {};
  int empty_idats = 0;     // zero-length IDAT chunks before the data
  size_t idat_split = 0;   // > 0: the zlib stream in IDATs of this size
  bool no_data = false;    // leave out the IDATs holding the data
};

Bytes make_png(const PngSpec& p) {
  Bytes f = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, ihdr;
  put_be(ihdr, p.w, 4);
  put_be(ihdr, p.h, 4);
  ihdr.insert(ihdr.end(), {static_cast<uint8_t>(p.depth), static_cast<uint8_t>(p.color), 0, 0, 0});
  png_chunk(f, "IHDR", ihdr);
  if (!p.plte.empty()) png_chunk(f, "PLTE", p.plte);
  for (int i = 0; i < p.empty_idats; ++i) png_chunk(f, "IDAT", {});
  const Bytes z = zlib_stored(p.rows);
  const size_t step = p.idat_split ? p.idat_split : z.size();
  for (size_t at = 0; at < z.size() && !p.no_data; at += step) {
    png_chunk(f, "IDAT", Bytes(z.begin() + at, z.begin() + std::min(z.size(), at + step)));
  }
  png_chunk(f, "IEND", {});
  return f;
}

// An uncompressed 24-bit BMP, bottom-up unless top_down. `rgb`: w*h*3 bytes, top row first.
Bytes make_bmp(int w, int h, const Bytes& rgb, bool top_down = false) {
  const uint32_t stride = (w * 3 + 3) & ~3u, offset = 54;
  Bytes f = {'B', 'M'};
  put_le(f, offset + stride * h, 4);
  put_le(f, 0, 4);
  put_le(f, offset, 4);
  put_le(f, 40, 4);
  put_le(f, w, 4);
  put_le(f, top_down ? -h : h, 4);
  put_le(f, 1, 2);
  put_le(f, 24, 2);
  for (int i = 0; i < 6; ++i) put_le(f, 0, 4);
  for (int r = 0; r < h; ++r) {
    const int y = top_down ? r : h - 1 - r;
    for (int x = 0; x < w; ++x) {
      for (int c = 2; c >= 0; --c) f.push_back(rgb[(y * w + x) * 3 + c]);
    }
    for (uint32_t k = w * 3; k < stride; ++k) f.push_back(0);
  }
  return f;
}

// Huffman-coded bits, MSB first, 0xFF stuffed, padded with 1s.
struct BitWriter {
  Bytes out;
  uint32_t acc = 0;
  int n = 0;
  void put(uint32_t v, int len) {
    for (int i = len - 1; i >= 0; --i) {
      acc = acc << 1 | (v >> i & 1);
      if (++n == 8) {
        out.push_back(static_cast<uint8_t>(acc));
        if (acc == 0xFF) out.push_back(0);
        acc = 0, n = 0;
      }
    }
  }
  Bytes done() {
    while (n) put(1, 1);
    return out;
  }
};

void segment(Bytes& f, uint8_t marker, const Bytes& body) {
  f.push_back(0xFF);
  f.push_back(marker);
  put_be(f, static_cast<uint32_t>(body.size() + 2), 2);
  f.insert(f.end(), body.begin(), body.end());
}

// A Huffman table with one 1-bit code ("0") for `symbol`.
Bytes one_code_dht(int table_class, int id, uint8_t symbol) {
  Bytes b = {static_cast<uint8_t>(table_class << 4 | id), 1};
  b.resize(17, 0);
  b.push_back(symbol);
  return b;
}

// Magnitude category and extra bits of a DC difference.
void put_dc(BitWriter& bw, int diff, int category) {
  bw.put(0, 1);  // the one code of the DC table: this category
  bw.put(static_cast<uint32_t>(diff >= 0 ? diff : diff + (1 << category) - 1), category);
}

// A 16x16 gray JPEG, four flat 8x8 blocks of kJpegValues (raster order), quantizer 8: baseline
// (one scan) or progressive (DC first with Al = 1, DC refinement, a DHT between scans, AC scan).
const int kJpegValues[4] = {193, 128, 63, 160};

Bytes make_jpeg(bool progressive) {
  Bytes f = {0xFF, 0xD8}, dqt = {0x00};
  dqt.resize(65, 8);
  segment(f, 0xDB, dqt);
  segment(f, progressive ? 0xC2 : 0xC0, {8, 0, 16, 0, 16, 1, 1, 0x11, 0});
  int dcq[4];
  for (int i = 0; i < 4; ++i) dcq[i] = kJpegValues[i] - 128;  // DC = 8 * (v - 128), quantized by 8
  if (!progressive) {
    segment(f, 0xC4, one_code_dht(0, 0, 7));
    segment(f, 0xC4, one_code_dht(1, 0, 0x00));  // EOB
    segment(f, 0xDA, {1, 1, 0x00, 0, 63, 0});
    BitWriter bw;
    for (int i = 0, pred = 0; i < 4; pred = dcq[i++]) {
      put_dc(bw, dcq[i] - pred, 7);
      bw.put(0, 1);  // EOB
    }
    Bytes data = bw.done();
    f.insert(f.end(), data.begin(), data.end());
  } else {
    segment(f, 0xC4, one_code_dht(0, 0, 6));
    segment(f, 0xDA, {1, 1, 0x00, 0, 0, 0x01});  // DC first, point transform 1
    BitWriter dc;
    for (int i = 0, pred = 0; i < 4; pred = dcq[i++] >> 1) put_dc(dc, (dcq[i] >> 1) - pred, 6);
    Bytes data = dc.done();
    f.insert(f.end(), data.begin(), data.end());
    segment(f, 0xDA, {1, 1, 0x00, 0, 0, 0x10});  // DC refinement: the low bits, no table
    BitWriter refine;
    for (int v : dcq) refine.put(v & 1, 1);
    data = refine.done();
    f.insert(f.end(), data.begin(), data.end());
    segment(f, 0xC4, one_code_dht(1, 0, 0x00));  // EOB run of 1
    segment(f, 0xDA, {1, 1, 0x00, 1, 63, 0x00});  // AC 1..63: every block empty
    BitWriter acs;
    for (int i = 0; i < 4; ++i) acs.put(0, 1);
    data = acs.done();
    f.insert(f.end(), data.begin(), data.end());
  }
  f.push_back(0xFF);
  f.push_back(0xD9);
  return f;
}

// stb_image's own result for `file` (what decode_image returned before the pre-pass).
Bytes stb_pixels(const Bytes& file) {
  int w, h, c;
  stbi_uc* p = stbi_load_from_memory(file.data(), static_cast<int>(file.size()), &w, &h, &c, 3);
  if (!p) return {};
  Bytes out(p, p + static_cast<size_t>(w) * h * 3);
  stbi_image_free(p);
  return out;
}

// "ok", or the error message of decode_image (which then leaves the image empty).
std::string decode_error(const Bytes& file) {
  Image img;
  Status s = decode_image(file.data(), file.size(), &img);
  if (s.ok()) return "ok";
  EXPECT_TRUE(img.pixels.empty() && img.width == 0);
  return s.message();
}

Image decode_ok(const Bytes& file) {
  Image img;
  Status s = decode_image(file.data(), file.size(), &img);
  EXPECT_TRUE(s.ok()) << s.message();
  return img;
}

TEST(ImageJpeg, BaselineAndProgressiveDecodeTheSamePixels) {
  for (bool progressive : {false, true}) {
    const Bytes file = make_jpeg(progressive);
    Image img = decode_ok(file);
    ASSERT_EQ(img.width, 16);
    ASSERT_EQ(img.height, 16);
    EXPECT_EQ(img.pixels, stb_pixels(file));
    for (int y = 0; y < 16; ++y) {
      for (int x = 0; x < 16; ++x) {
        const int want = kJpegValues[(y / 8) * 2 + x / 8];
        for (int c = 0; c < 3; ++c) {
          ASSERT_NEAR(img.pixels[(y * 16 + x) * 3 + c], want, 1) << "progressive " << progressive << " at " << x << "," << y;
        }
      }
    }
  }
  EXPECT_EQ(decode_ok(make_jpeg(false)).pixels, decode_ok(make_jpeg(true)).pixels);
}

TEST(ImageJpeg, RealPhotosDecodeAsStbDoes) {
  for (const char* name : {"face.jpg", "kite_and_cold.jpg"}) {
    const Bytes file = read_file(image_path(name));
    EXPECT_EQ(decode_ok(file).pixels, stb_pixels(file)) << name;
  }
}

// Replaces the first occurrence of `from` in `file` by `to`.
Bytes patched(Bytes file, const Bytes& from, const Bytes& to) {
  auto at = std::search(file.begin(), file.end(), from.begin(), from.end());
  EXPECT_NE(at, file.end());
  at = file.erase(at, at + from.size());
  file.insert(at, to.begin(), to.end());
  return file;
}

TEST(ImageJpeg, RejectsBadHuffmanTables) {
  const std::string pre = "cannot decode JPEG image: ";
  // Code counts summing to 300: stb 2.27 writes past its 257-entry size table.
  Bytes over = {0x00};
  for (int i = 0; i < 16; ++i) over.push_back(i < 15 ? 20 : 0);
  over.resize(17 + 300, 1);
  Bytes f = make_jpeg(false);
  Bytes dht;
  segment(dht, 0xC4, over);
  f.insert(f.begin() + 2, dht.begin(), dht.end());
  EXPECT_EQ(decode_error(f), pre + "Huffman table with over 256 codes");
  // Values missing: the segment ends after the counts.
  Bytes dc_table, cut;
  segment(dc_table, 0xC4, one_code_dht(0, 0, 7));
  segment(cut, 0xC4, Bytes(dc_table.begin() + 4, dc_table.end() - 1));
  EXPECT_EQ(decode_error(patched(make_jpeg(false), dc_table, cut)), pre + "bad DHT");
  // Table id 5.
  Bytes bad_id;
  segment(bad_id, 0xC4, one_code_dht(0, 5, 7));
  EXPECT_EQ(decode_error(patched(make_jpeg(false), dc_table, bad_id)), pre + "bad DHT");
}

TEST(ImageJpeg, RejectsScansUsingUndefinedTables) {
  const std::string undefined = "cannot decode JPEG image: undefined Huffman table";
  // Baseline: the scan names DC table 1 / AC table 2, never defined.
  EXPECT_EQ(decode_error(patched(make_jpeg(false), {0xFF, 0xDA, 0, 8, 1, 1, 0x00}, {0xFF, 0xDA, 0, 8, 1, 1, 0x10})), undefined);
  EXPECT_EQ(decode_error(patched(make_jpeg(false), {0xFF, 0xDA, 0, 8, 1, 1, 0x00}, {0xFF, 0xDA, 0, 8, 1, 1, 0x02})), undefined);
  // No DHT at all.
  Bytes dc_table, ac_table;
  segment(dc_table, 0xC4, one_code_dht(0, 0, 7));
  segment(ac_table, 0xC4, one_code_dht(1, 0, 0x00));
  EXPECT_EQ(decode_error(patched(patched(make_jpeg(false), dc_table, {}), ac_table, {})), undefined);
  // Progressive: the AC scan before the DHT that defines its table; DC scans need no AC table.
  Bytes prog = make_jpeg(true);
  Bytes moved = patched(prog, ac_table, {});
  EXPECT_EQ(decode_error(moved), undefined);
  // The DC refinement scan reads no table: naming undefined ones there is fine.
  Bytes refine = patched(prog, {0xFF, 0xDA, 0, 8, 1, 1, 0x00, 0, 0, 0x10}, {0xFF, 0xDA, 0, 8, 1, 1, 0x33, 0, 0, 0x10});
  EXPECT_EQ(decode_ok(refine).pixels, decode_ok(prog).pixels);
  // Undefined quantization table.
  EXPECT_EQ(decode_error(patched(make_jpeg(false), {1, 0x11, 0}, {1, 0x11, 2})),
            "cannot decode JPEG image: undefined quantization table");
}

TEST(ImageJpeg, RejectsBadStructure) {
  const std::string pre = "cannot decode JPEG image: ";
  const Bytes good = make_jpeg(false);
  // Frame declaring 8000 x 6000 (48 M pixels).
  EXPECT_EQ(decode_error(patched(good, {8, 0, 16, 0, 16}, {8, 0x17, 0x70, 0x1F, 0x40})),
            pre + "image declares 8000x6000 pixels, over the 40 M pixel limit");
  // 2000 x 2000 needs 62500 blocks, at least 7.6 KB of scan data.
  EXPECT_EQ(decode_error(patched(good, {8, 0, 16, 0, 16}, {8, 0x07, 0xD0, 0x07, 0xD0})), pre + "file too short for its declared size");
  EXPECT_EQ(decode_error(patched(good, {8, 0, 16, 0, 16}, {12, 0, 16, 0, 16})), pre + "only 8-bit");  // stb's check
  EXPECT_EQ(decode_error(patched(good, {0xFF, 0xC0}, {0xFF, 0xC3})), pre + "not baseline or progressive");
  EXPECT_EQ(decode_error(patched(good, {1, 1, 0x11, 0}, {1, 1, 0x51, 0})), pre + "bad SOF");
  EXPECT_EQ(decode_error(patched(good, {0xFF, 0xDA, 0, 8, 1, 1}, {0xFF, 0xDA, 0, 8, 1, 2})), pre + "bad SOS");
  EXPECT_EQ(decode_error(patched(good, {0xFF, 0xDA, 0, 8, 1}, {0xFF, 0xDA, 0, 8, 2})), pre + "bad SOS");
  const Bytes sos = {0xFF, 0xDA};
  Bytes no_data(good.begin(), std::search(good.begin(), good.end(), sos.begin(), sos.end()) + 10);  // SOS, then EOI
  no_data.insert(no_data.end(), {0xFF, 0xD9});
  EXPECT_EQ(decode_error(no_data), pre + "scan without data");
  Bytes sof_after_sos = patched(good, {0xFF, 0xC0}, {0xFF, 0xFE});  // the SOF turned into a comment
  EXPECT_EQ(decode_error(sof_after_sos), pre + "SOS before SOF");
  EXPECT_EQ(decode_error(patched(good, {0xFF, 0xDB, 0, 67}, {0xFF, 0xDB, 0, 66})), pre + "bad DQT");
  EXPECT_EQ(decode_error(patched(good, {0xFF, 0xDB, 0, 67}, {0xFF, 0xDB, 0x7F, 67})), pre + "segment overruns the file");
}

// The 8-bit RGB a decoder should give for pixel (x, y) of `p` (unfiltered rows, per the PNG spec).
void want_rgb(const PngSpec& p, uint32_t x, uint32_t y, Bytes* out) {
  const int channels = p.color == 3 ? 1 : (p.color & 2 ? 3 : 1) + (p.color >> 2);
  const size_t row_bytes = (p.w * p.depth * channels + 7) / 8;
  const uint8_t* row = &p.rows[y * (row_bytes + 1) + 1];
  auto sample = [&](int k) {  // 8 bits: the high byte of 16, low depths scaled to 0..255
    const size_t bit = (static_cast<size_t>(x) * channels + k) * p.depth;
    if (p.depth >= 8) return static_cast<unsigned>(row[bit / 8]);
    const unsigned v = row[bit / 8] >> (8 - p.depth - bit % 8) & ((1 << p.depth) - 1);
    return p.color == 3 ? v : v * 255 / ((1 << p.depth) - 1);
  };
  for (int k = 0; k < 3; ++k) {
    out->push_back(static_cast<uint8_t>(p.color == 3 ? p.plte[sample(0) * 3 + k] : sample(channels >= 3 ? k : 0)));
  }
}

TEST(ImagePng, DecodesEveryColorTypeAsStbDoes) {
  std::mt19937 rng(5);
  Bytes plte(256 * 3);  // every index valid
  for (auto& v : plte) v = static_cast<uint8_t>(rng());
  const int cases[][2] = {{8, 2}, {8, 0}, {8, 6}, {8, 4}, {8, 3}, {16, 2}, {16, 0}, {16, 6}, {4, 3},
                          {2, 3}, {1, 3}, {1, 0}, {2, 0}, {4, 0}};
  for (auto [depth, color] : cases) {
    PngSpec spec{5, 3, depth, color, {}};
    if (color == 3) spec.plte = plte;
    const int channels = color == 3 ? 1 : (color & 2 ? 3 : 1) + (color >> 2);
    for (uint32_t y = 0; y < spec.h; ++y) {
      spec.rows.push_back(0);
      for (uint32_t i = 0; i < (spec.w * depth * channels + 7) / 8; ++i) spec.rows.push_back(static_cast<uint8_t>(rng()));
    }
    Bytes want;
    for (uint32_t y = 0; y < spec.h; ++y) {
      for (uint32_t x = 0; x < spec.w; ++x) want_rgb(spec, x, y, &want);
    }
    const Bytes file = make_png(spec);
    Image img = decode_ok(file);
    EXPECT_EQ(img.width, 5);
    EXPECT_EQ(img.height, 3);
    EXPECT_EQ(img.pixels, want) << "depth " << depth << " color " << color;
    EXPECT_EQ(img.pixels, stb_pixels(file)) << "depth " << depth << " color " << color;
  }
}

TEST(ImagePng, EmptyIdatChunksAreDropped) {
  PngSpec spec{4, 2, 8, 2, {}};
  for (int y = 0; y < 2; ++y) {
    spec.rows.push_back(0);
    for (int i = 0; i < 12; ++i) spec.rows.push_back(static_cast<uint8_t>(y * 50 + i * 7));
  }
  const Bytes plain = make_png(spec);
  const Bytes want = decode_ok(plain).pixels;
  ASSERT_EQ(want.size(), 24u);
  spec.empty_idats = 1;
  EXPECT_EQ(decode_ok(make_png(spec)).pixels, want);
  spec.empty_idats = 3;
  spec.idat_split = 5;  // and the data itself over several IDATs
  EXPECT_EQ(decode_ok(make_png(spec)).pixels, want);
  spec.no_data = true;  // only empty IDATs
  EXPECT_EQ(decode_error(make_png(spec)), "cannot decode PNG image: no IDAT data");
}

TEST(ImagePng, RejectsBombsAndBadChunks) {
  const std::string pre = "cannot decode PNG image: ";
  // 10000 x 4000 RGB (120 MB of pixels) from 100 bytes of IDAT: over zlib's 1032:1.
  PngSpec spec{10000, 4000, 8, 2, Bytes(100, 0)};
  EXPECT_EQ(decode_error(make_png(spec)), pre + "file too short for its declared size");
  spec.w = 10001;
  EXPECT_EQ(decode_error(make_png(spec)), pre + "image declares 10001x4000 pixels, over the 40 M pixel limit");
  spec = PngSpec{2, 2, 8, 2, Bytes(14, 0)};
  Bytes good = make_png(spec);
  ASSERT_EQ(decode_ok(good).width, 2);
  spec.depth = 4;  // RGB at 4 bits
  EXPECT_EQ(decode_error(make_png(spec)), pre + "bad IHDR");
  Bytes no_end = good;
  no_end.resize(no_end.size() - 12);
  EXPECT_EQ(decode_error(no_end), pre + "no IEND chunk (truncated?)");
  Bytes overrun = good;
  overrun[33 + 3] = 200;  // the IDAT length
  EXPECT_EQ(decode_error(overrun), pre + "chunk overruns the file");
  Bytes first = good;
  first[12] = 'X';
  EXPECT_EQ(decode_error(first), pre + "first chunk is not IHDR");
  Bytes plte_late = good;
  Bytes plte_chunk;
  png_chunk(plte_chunk, "PLTE", {1, 2, 3});
  plte_late.insert(plte_late.end() - 12, plte_chunk.begin(), plte_chunk.end());
  EXPECT_EQ(decode_error(plte_late), pre + "PLTE after IDAT");
}

TEST(ImageBmp, DecodesAsStbDoes) {
  for (int w : {1, 3, 4, 7}) {
    for (bool top_down : {false, true}) {
      const int h = 3;
      Bytes rgb(w * h * 3);
      for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>(i * 29 + 3);
      const Bytes file = make_bmp(w, h, rgb, top_down);
      Image img = decode_ok(file);
      EXPECT_EQ(img.pixels, rgb) << w;
      EXPECT_EQ(img.pixels, stb_pixels(file)) << w;
    }
  }
}

TEST(ImageBmp, RejectsBombs) {
  // 45 bytes declaring 12056 x 11792: an OS/2 header (16-bit sizes), 24 bits per pixel.
  Bytes bomb = {'B', 'M'};
  put_le(bomb, 45, 4);
  put_le(bomb, 0, 4);
  put_le(bomb, 26, 4);
  put_le(bomb, 12, 4);
  put_le(bomb, 12056, 2);
  put_le(bomb, 11792, 2);
  put_le(bomb, 1, 2);
  put_le(bomb, 24, 2);
  bomb.resize(45, 0x55);
  EXPECT_EQ(decode_error(bomb), "cannot decode BMP image: image declares 12056x11792 pixels, over the 40 M pixel limit");
  // Under the cap but the pixels are not in the file.
  bomb[18] = 0xE8, bomb[19] = 0x03, bomb[20] = 0xE8, bomb[21] = 0x03;  // 1000 x 1000
  EXPECT_EQ(decode_error(bomb), "cannot decode BMP image: file too short for its declared size");
  // The last row's padding may be missing; one pixel byte may not.
  Bytes rgb(3 * 2 * 3, 7);
  Bytes file = make_bmp(3, 2, rgb);
  file.resize(file.size() - 3);
  EXPECT_EQ(decode_ok(file).pixels, rgb);
  file.pop_back();
  EXPECT_EQ(decode_error(file), "cannot decode BMP image: file too short for its declared size");
  // Height -2^31 (stb 2.27 negates it: signed overflow).
  Bytes neg = make_bmp(3, 2, rgb);
  neg[22] = neg[23] = neg[24] = 0, neg[25] = 0x80;
  EXPECT_EQ(decode_error(neg), "cannot decode BMP image: size 3x2147483648 is outside 1..16384");
}

TEST(ImageTruncated, EveryPrefixFailsCleanly) {
  PngSpec spec{3, 2, 8, 6, Bytes(2 * 13, 9)};
  for (int y = 0; y < 2; ++y) spec.rows[y * 13] = 0;
  Bytes rgb(4 * 3 * 3, 99);
  for (const Bytes& file : {make_jpeg(false), make_jpeg(true), make_png(spec), make_bmp(4, 3, rgb)}) {
    ASSERT_EQ(decode_error(file), "ok");
    for (size_t n = 0; n < file.size(); ++n) {
      Image img;
      Status s = decode_image(file.data(), n, &img);
      ASSERT_FALSE(s.ok()) << n << " of " << file.size() << " bytes";
      EXPECT_TRUE(img.pixels.empty());
    }
  }
}

TEST(ImageDecode, ReusesTheCallersBuffer) {
  // stb's output buffer is Image::pixels: decoding again into the same Image reuses its storage.
  for (const Bytes& file : {make_jpeg(false), make_jpeg(true), make_png(PngSpec{2, 1, 8, 0, {0, 1, 2}}),
                            make_bmp(2, 2, Bytes(12, 5))}) {
    Image img = decode_ok(file);
    img.pixels.reserve(4096);
    const uint8_t* buffer = img.pixels.data();
    ASSERT_TRUE(decode_image(file.data(), file.size(), &img).ok());
    EXPECT_EQ(img.pixels.data(), buffer);
    EXPECT_EQ(img.pixels, stb_pixels(file));
  }
}

// TF's ResizeBilinear with half_pixel_centers, in double, rounded to nearest.
std::vector<uint8_t> naive_resize(const std::vector<uint8_t>& src, int sw, int sh, int c, int dw, int dh) {
  std::vector<uint8_t> out(static_cast<size_t>(dw) * dh * c);
  for (int y = 0; y < dh; ++y) {
    const double in_y = (y + 0.5) * sh / dh - 0.5;
    const int y0 = std::max(0, static_cast<int>(std::floor(in_y)));
    const int y1 = std::min(sh - 1, static_cast<int>(std::ceil(in_y)));
    const double ly = in_y - std::floor(in_y);
    for (int x = 0; x < dw; ++x) {
      const double in_x = (x + 0.5) * sw / dw - 0.5;
      const int x0 = std::max(0, static_cast<int>(std::floor(in_x)));
      const int x1 = std::min(sw - 1, static_cast<int>(std::ceil(in_x)));
      const double lx = in_x - std::floor(in_x);
      for (int k = 0; k < c; ++k) {
        auto at = [&](int yy, int xx) { return static_cast<double>(src[(static_cast<size_t>(yy) * sw + xx) * c + k]); };
        const double top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * lx;
        const double bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * lx;
        out[(static_cast<size_t>(y) * dw + x) * c + k] = static_cast<uint8_t>(std::lround(top + (bottom - top) * ly));
      }
    }
  }
  return out;
}

TEST(ResizeBilinear, HandComputedValues) {
  // 2x1 -> 4x1: source coordinates -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
  const uint8_t row[2] = {0, 200};
  uint8_t out[4];
  ASSERT_TRUE(resize_bilinear_u8(row, 2, 1, 1, out, 4, 1).ok());
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 50);
  EXPECT_EQ(out[2], 150);
  EXPECT_EQ(out[3], 200);
  // 4x4 -> 2x2 halves: each output is the mean of a 2x2 block (source coordinate 0.5, 2.5).
  const uint8_t src[16] = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150};
  uint8_t half[4];
  ASSERT_TRUE(resize_bilinear_u8(src, 4, 4, 1, half, 2, 2).ok());
  EXPECT_EQ(half[0], 25);   // (0 + 10 + 40 + 50) / 4
  EXPECT_EQ(half[1], 45);   // (20 + 30 + 60 + 70) / 4
  EXPECT_EQ(half[2], 105);  // (80 + 90 + 120 + 130) / 4
  EXPECT_EQ(half[3], 125);
}

TEST(ResizeBilinear, IdentityAndConstantImages) {
  std::mt19937 rng(3);
  std::vector<uint8_t> src(13 * 9 * 3);
  for (auto& v : src) v = static_cast<uint8_t>(rng());
  std::vector<uint8_t> same(src.size());
  ASSERT_TRUE(resize_bilinear_u8(src.data(), 13, 9, 3, same.data(), 13, 9).ok());
  EXPECT_EQ(same, src);

  std::vector<uint8_t> flat(20 * 10 * 3, 77), big(57 * 31 * 3);
  ASSERT_TRUE(resize_bilinear_u8(flat.data(), 20, 10, 3, big.data(), 57, 31).ok());
  for (uint8_t v : big) ASSERT_EQ(v, 77);
}

TEST(ResizeBilinear, MatchesTfHalfPixelFormulaWithinOneStep) {
  std::mt19937 rng(11);
  struct Case { int sw, sh, c, dw, dh; };
  const Case cases[] = {{512, 600, 3, 224, 224}, {7, 5, 3, 16, 11}, {1, 1, 3, 5, 4}, {31, 17, 1, 8, 30},
                        {3, 9, 4, 3, 2}, {100, 1, 2, 33, 3}};
  for (const Case& k : cases) {
    std::vector<uint8_t> src(static_cast<size_t>(k.sw) * k.sh * k.c);
    for (auto& v : src) v = static_cast<uint8_t>(rng());
    std::vector<uint8_t> got(static_cast<size_t>(k.dw) * k.dh * k.c);
    ASSERT_TRUE(resize_bilinear_u8(src.data(), k.sw, k.sh, k.c, got.data(), k.dw, k.dh).ok());
    auto want = naive_resize(src, k.sw, k.sh, k.c, k.dw, k.dh);
    int max_diff = 0;
    for (size_t i = 0; i < got.size(); ++i) max_diff = std::max(max_diff, std::abs(got[i] - want[i]));
    EXPECT_LE(max_diff, 1) << k.sw << "x" << k.sh << " -> " << k.dw << "x" << k.dh;
  }
}

TEST(ResizeBilinear, RejectsBadArguments) {
  uint8_t px[3] = {1, 2, 3}, out[3];
  EXPECT_FALSE(resize_bilinear_u8(px, 0, 1, 3, out, 1, 1).ok());
  EXPECT_FALSE(resize_bilinear_u8(px, 1, 1, 3, out, 1, -2).ok());
  Status s = resize_bilinear_u8(px, 1, 1, 5, out, 1, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("channels"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace fd
