// Image decoding (stb_image behind the image_check pre-pass: BMP, JPEG, PNG) and bilinear resizing
// with half-pixel centers.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "vision/image_io.h"
#include "vision/resize.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include "stb/stb_image_write.h"

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

TEST(DecodeImage, BmpMatchesHandDecodedPixels) {
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

TEST(DecodeImage, JpegHasHeaderSizeAndPlausiblePixels) {
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

TEST(DecodeImage, PngRoundTripsExactly) {
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

TEST(DecodeImage, RejectsEmptyUnknownAndCorruptData) {
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

TEST(DecodeImage, RejectsHugeDimensions) {
  auto bmp = read_file(image_path("cat.bmp"));
  const uint32_t huge = 100000;
  std::memcpy(&bmp[18], &huge, 4);  // width (little-endian host)
  Image img;
  Status s = decode_image(bmp.data(), bmp.size(), &img);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.message().find("outside") != std::string::npos ||
              s.message().find("too large") != std::string::npos)
      << s.message();
}

// ---- The pre-pass (vision/image_check): small hand-made files, one per class it rejects or repairs ----

using Bytes = std::vector<uint8_t>;

void put_be16(Bytes* b, uint32_t v) {
  b->push_back(static_cast<uint8_t>(v >> 8));
  b->push_back(static_cast<uint8_t>(v));
}
void put_be32(Bytes* b, uint32_t v) {
  put_be16(b, v >> 16);
  put_be16(b, v & 0xFFFF);
}
void put_le16(Bytes* b, uint32_t v) {
  b->push_back(static_cast<uint8_t>(v));
  b->push_back(static_cast<uint8_t>(v >> 8));
}
void put_le32(Bytes* b, uint32_t v) {
  put_le16(b, v & 0xFFFF);
  put_le16(b, v >> 16);
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// Decoding fails with a message containing `text`.
::testing::AssertionResult Rejected(const Bytes& file, const std::string& text) {
  Image img;
  Status s = decode_image(file.data(), file.size(), &img);
  if (s.ok()) return ::testing::AssertionFailure() << "decoded a " << img.width << "x" << img.height << " image";
  if (s.message().find(text) == std::string::npos) return ::testing::AssertionFailure() << "message: " << s.message();
  return ::testing::AssertionSuccess();
}

// A JPEG marker segment: 0xFF, the marker, a big-endian length that counts itself, the body.
Bytes jpeg_segment(uint8_t marker, const Bytes& body) {
  Bytes s = {0xFF, marker};
  put_be16(&s, static_cast<uint32_t>(body.size() + 2));
  s.insert(s.end(), body.begin(), body.end());
  return s;
}

struct JpegComponent {
  uint8_t id, sampling, quant;
};

Bytes jpeg_frame(int width, int height, const std::vector<JpegComponent>& comps = {{1, 0x11, 0}},
                 uint8_t marker = 0xC0) {
  Bytes b = {8};
  put_be16(&b, height);
  put_be16(&b, width);
  b.push_back(static_cast<uint8_t>(comps.size()));
  for (const JpegComponent& c : comps) b.insert(b.end(), {c.id, c.sampling, c.quant});
  return jpeg_segment(marker, b);
}

// Quantization table `id`, all ones.
Bytes jpeg_quant(uint8_t id) {
  Bytes b(65, 1);
  b[0] = id;
  return jpeg_segment(0xDB, b);
}

// A Huffman table; by default one 1-bit code ("0") for symbol 0: a DC difference of 0 or an AC
// end-of-block, so all-zero scan data codes flat gray blocks.
Bytes jpeg_huffman(int table_class, int id, const Bytes& counts = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                   const Bytes& symbols = {0}) {
  Bytes b = {static_cast<uint8_t>(table_class << 4 | id)};
  b.insert(b.end(), counts.begin(), counts.end());
  b.insert(b.end(), symbols.begin(), symbols.end());
  return jpeg_segment(0xC4, b);
}

// A scan header: (component id, DC table << 4 | AC table) pairs, spectral selection, approximation.
Bytes jpeg_scan(const std::vector<std::pair<uint8_t, uint8_t>>& comps, uint8_t ss = 0, uint8_t se = 63,
                uint8_t approx = 0) {
  Bytes b = {static_cast<uint8_t>(comps.size())};
  for (const auto& c : comps) b.insert(b.end(), {c.first, c.second});
  b.insert(b.end(), {ss, se, approx});
  return jpeg_segment(0xDA, b);
}

// SOI, the parts (segments and scan data) in order, EOI.
Bytes jpeg_file(std::initializer_list<Bytes> parts) {
  Bytes f = {0xFF, 0xD8};
  for (const Bytes& p : parts) f.insert(f.end(), p.begin(), p.end());
  f.insert(f.end(), {0xFF, 0xD9});
  return f;
}

const Bytes kScanZeros(16, 0);

// A gray 16x16 baseline JPEG up to its scan data: one quantization table, both default tables.
Bytes jpeg_gray_head(int width = 16, int height = 16) {
  return concat({jpeg_quant(0), jpeg_frame(width, height), jpeg_huffman(0, 0), jpeg_huffman(1, 0)});
}

TEST(ImageCheck, HandMadeBaselineAndProgressiveJpegsDecode) {
  const Bytes baseline = jpeg_file({jpeg_gray_head(), jpeg_scan({{1, 0x00}}), kScanZeros});
  Image img;
  Status s = decode_image(baseline.data(), baseline.size(), &img);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(img.width, 16);
  EXPECT_EQ(img.height, 16);
  ASSERT_EQ(img.pixels.size(), 16u * 16 * 3);
  for (uint8_t v : img.pixels) ASSERT_EQ(v, 128);

  // Progressive: the first (DC) scan needs only a DC table, the AC table arrives between scans, and
  // the DC refinement scan names tables no segment defines (it reads raw bits, no Huffman codes).
  const Bytes progressive = jpeg_file({jpeg_quant(0), jpeg_frame(16, 16, {{1, 0x11, 0}}, 0xC2), jpeg_huffman(0, 0),
                                       jpeg_scan({{1, 0x00}}, 0, 0, 0x01), kScanZeros, jpeg_huffman(1, 0),
                                       jpeg_scan({{1, 0x00}}, 1, 63), kScanZeros, jpeg_scan({{1, 0x33}}, 0, 0, 0x10),
                                       kScanZeros});
  Image prog;
  s = decode_image(progressive.data(), progressive.size(), &prog);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(prog.pixels == img.pixels);
}

TEST(ImageCheck, JpegRejectsHuffmanTablesOver256Codes) {
  // 255 codes of length 15 and 2 of length 16: stb_image 2.27 writes past its 257-entry code-length
  // list while building the table, already inside stbi_info.
  Bytes counts(16, 0);
  counts[14] = 255;
  counts[15] = 2;
  EXPECT_TRUE(Rejected(jpeg_file({jpeg_quant(0), jpeg_frame(16, 16), jpeg_huffman(0, 0, counts, Bytes(257, 0)),
                                  jpeg_huffman(1, 0), jpeg_scan({{1, 0x00}}), kScanZeros}),
                       "DC Huffman table 0 declares 257 codes; a table holds at most 256"));
  // Three 1-bit codes do not fit in one bit.
  EXPECT_TRUE(Rejected(jpeg_file({jpeg_quant(0), jpeg_frame(16, 16), jpeg_huffman(0, 0),
                                  jpeg_huffman(1, 1, {3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {0, 1, 2}),
                                  jpeg_scan({{1, 0x01}}), kScanZeros}),
                       "AC Huffman table 1 has more codes of length 1 than that length can hold"));
  // The fuzzer's 9-byte find: a DHT segment longer than the file, whose counts stb read as zeros past the end.
  EXPECT_TRUE(Rejected({0xFF, 0xD8, 0xFF, 0xC4, 0x00, 0xD5, 0x00, 0xF2, 0xD5},
                       "marker 0xFFC4 at byte 2 declares a 213-byte segment, past the end of the file"));
}

TEST(ImageCheck, JpegRejectsScansUsingUndefinedTables) {
  // stb_image 2.27 would decode these scans through table memory no segment initialized.
  EXPECT_TRUE(Rejected(jpeg_file({jpeg_gray_head(), jpeg_scan({{1, 0x01}}), kScanZeros}),
                       "scan 1 uses AC Huffman table 1 for component id 1, but no DHT segment before it defines that "
                       "table"));
  EXPECT_TRUE(Rejected(jpeg_file({jpeg_gray_head(), jpeg_scan({{1, 0x20}}), kScanZeros}),
                       "scan 1 uses DC Huffman table 2 for component id 1"));
  // A table defined only after the scan that uses it does not count.
  EXPECT_TRUE(Rejected(jpeg_file({jpeg_quant(0), jpeg_frame(16, 16), jpeg_huffman(0, 0), jpeg_scan({{1, 0x00}}),
                                  kScanZeros, jpeg_huffman(1, 0)}),
                       "scan 1 uses AC Huffman table 0 for component id 1"));
  // A progressive DC scan needs its DC table (and no AC table).
  EXPECT_TRUE(Rejected(jpeg_file({jpeg_quant(0), jpeg_frame(16, 16, {{1, 0x11, 0}}, 0xC2), jpeg_huffman(1, 0),
                                  jpeg_scan({{1, 0x00}}, 0, 0), kScanZeros}),
                       "scan 1 uses DC Huffman table 0 for component id 1"));
  EXPECT_TRUE(Rejected(jpeg_file({jpeg_frame(16, 16), jpeg_huffman(0, 0), jpeg_huffman(1, 0), jpeg_scan({{1, 0x00}}),
                                  kScanZeros}),
                       "component id 1 uses quantization table 0, but no DQT segment before scan 1 defines that "
                       "table"));
}

TEST(ImageCheck, JpegRejectsComponentsNoScanCodes) {
  // Three components and one scan for the first: stb_image would color-convert planes nothing wrote.
  EXPECT_TRUE(Rejected(jpeg_file({jpeg_quant(0), jpeg_frame(16, 16, {{1, 0x11, 0}, {2, 0x11, 0}, {3, 0x11, 0}}),
                                  jpeg_huffman(0, 0), jpeg_huffman(1, 0), jpeg_scan({{1, 0x00}}), kScanZeros}),
                       "no scan codes the component id 2"));
}

TEST(ImageCheck, JpegRejectsSizesItsDataCannotHold) {
  // 4000x4000 gray is 250000 blocks, at least 31250 bytes at one bit each: from 16 bytes stb_image
  // would decode 48 MB of gray.
  EXPECT_TRUE(Rejected(jpeg_file({jpeg_gray_head(4000, 4000), jpeg_scan({{1, 0x00}}), kScanZeros}),
                       "image declares 4000x4000 pixels (250000 8x8 blocks) but its scans hold 16 bytes, fewer than "
                       "the 31250 even one bit per block takes"));
  EXPECT_TRUE(Rejected(jpeg_file({jpeg_gray_head(8000, 6000), jpeg_scan({{1, 0x00}}), kScanZeros}),
                       "image declares 8000x6000 pixels, over the 40 M pixel limit"));
  Bytes cut = jpeg_file({jpeg_gray_head(), jpeg_scan({{1, 0x00}}), kScanZeros});
  cut.resize(cut.size() - 2);
  EXPECT_TRUE(Rejected(cut, "the file ends before its end-of-image marker"));
}

// A PNG chunk; its CRC stays 0 (stb_image does not check CRCs, nor does the pre-pass).
Bytes png_chunk(const char* type, const Bytes& data) {
  Bytes c;
  put_be32(&c, static_cast<uint32_t>(data.size()));
  c.insert(c.end(), type, type + 4);
  c.insert(c.end(), data.begin(), data.end());
  put_be32(&c, 0);
  return c;
}

Bytes png_header(uint32_t width, uint32_t height, uint8_t depth, uint8_t color) {
  Bytes b;
  put_be32(&b, width);
  put_be32(&b, height);
  b.insert(b.end(), {depth, color, 0, 0, 0});
  return png_chunk("IHDR", b);
}

// The signature, the chunks, IEND.
Bytes png_file(std::initializer_list<Bytes> chunks) {
  Bytes f = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  for (const Bytes& c : chunks) f.insert(f.end(), c.begin(), c.end());
  const Bytes end = png_chunk("IEND", {});
  f.insert(f.end(), end.begin(), end.end());
  return f;
}

// A zlib stream (stb_image_write's deflate).
Bytes zlib(const Bytes& raw) {
  int n = 0;
  unsigned char* z = stbi_zlib_compress(const_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size()), &n, 8);
  Bytes out(z, z + n);
  std::free(z);
  return out;
}

TEST(ImageCheck, PngZeroLengthIdatChunksAreDropped) {
  // stb_image 2.27 copies a zero-length first IDAT through a null pointer; the pre-pass hands it a
  // copy without such chunks, so the file still decodes.
  const int w = 5, h = 3;
  Bytes raw;  // filter byte 0, then RGB samples
  for (int y = 0; y < h; ++y) {
    raw.push_back(0);
    for (int i = 0; i < w * 3; ++i) raw.push_back(static_cast<uint8_t>(40 * y + i));
  }
  const Bytes z = zlib(raw);
  const Bytes split = png_file({png_header(w, h, 8, 2), png_chunk("IDAT", {}),
                                png_chunk("IDAT", Bytes(z.begin(), z.begin() + 4)), png_chunk("IDAT", {}),
                                png_chunk("IDAT", Bytes(z.begin() + 4, z.end()))});
  Image img;
  Status s = decode_image(split.data(), split.size(), &img);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(img.pixels.size(), static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y) {
    for (int i = 0; i < w * 3; ++i) ASSERT_EQ(img.pixels[y * w * 3 + i], raw[y * (w * 3 + 1) + 1 + i]);
  }
}

TEST(ImageCheck, PngShortPalettesArePaddedWithBlack) {
  // Indices 0..3 over a 2-entry palette: stb_image 2.27 would read entries 2 and 3 from
  // uninitialized stack memory; the repaired copy makes them black.
  const Bytes file = png_file({png_header(4, 1, 8, 3), png_chunk("PLTE", {10, 20, 30, 40, 50, 60}),
                               png_chunk("IDAT", zlib({0, 0, 1, 2, 3}))});
  Image img;
  Status s = decode_image(file.data(), file.size(), &img);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Bytes(img.pixels.begin(), img.pixels.end()), Bytes({10, 20, 30, 40, 50, 60, 0, 0, 0, 0, 0, 0}));
}

TEST(ImageCheck, PngRejectsBombsAndChunksPastTheEnd) {
  // 16x16 RGB inflates to 784 bytes; this IDAT inflates to 2 MB, and stb_image would inflate all of it.
  EXPECT_TRUE(Rejected(png_file({png_header(16, 16, 8, 2), png_chunk("IDAT", zlib(Bytes(2 << 20, 0)))}),
                       "decoding a 16x16 image needs a buffer over 1 MB (compressed data that inflates past the "
                       "image?)"));
  // Far more rows than 17 bytes of deflate data can produce.
  EXPECT_TRUE(Rejected(png_file({png_header(8000, 4000, 8, 0), png_chunk("IDAT", zlib(Bytes(1000, 0)))}),
                       "image declares 8000x4000 pixels (32004000 bytes once inflated) but holds"));
  EXPECT_TRUE(Rejected(png_file({png_header(10000, 5000, 8, 0), png_chunk("IDAT", zlib(Bytes(1000, 0)))}),
                       "image declares 10000x5000 pixels, over the 40 M pixel limit"));
  // An IDAT length past the end of the file: stb_image would allocate 2 GB before reading it.
  Bytes huge = png_file({png_header(8, 8, 8, 2)});
  huge.resize(33);
  put_be32(&huge, 0x7FFFFFF0);
  huge.insert(huge.end(), {'I', 'D', 'A', 'T', 1, 2, 3});
  EXPECT_TRUE(Rejected(huge, "chunk IDAT at byte 33 declares 2147483632 bytes, past the end of the file"));
}

// A BMP with a 40-byte info header, `palette` (BGRX entries) and `rows` (bottom-up, padded).
Bytes bmp_file(int32_t width, int32_t height, uint16_t bpp, const Bytes& palette, const Bytes& rows,
               uint32_t offset = 0) {
  if (offset == 0) offset = static_cast<uint32_t>(54 + palette.size());
  Bytes b = {'B', 'M'};
  put_le32(&b, offset + static_cast<uint32_t>(rows.size()));
  put_le32(&b, 0);
  put_le32(&b, offset);
  put_le32(&b, 40);
  put_le32(&b, static_cast<uint32_t>(width));
  put_le32(&b, static_cast<uint32_t>(height));
  put_le16(&b, 1);
  put_le16(&b, bpp);
  for (uint32_t field : {0u, static_cast<uint32_t>(rows.size()), 2835u, 2835u, 0u, 0u}) put_le32(&b, field);
  return concat({b, palette, rows});
}

TEST(ImageCheck, BmpRejectsBombsAndShortPixelData) {
  // The earlier fuzzing run's 45-byte BMP: stb_image took ~950 MB and 9 s to decode it.
  Bytes bomb = bmp_file(12056, 11792, 24, {}, {});
  bomb.resize(45);
  EXPECT_TRUE(Rejected(bomb, "cannot decode BMP image: image declares 12056x11792 pixels, over the 40 M pixel limit"));
  // Under the limit, but the rows are not in the file (stb_image would decode zeros for them).
  EXPECT_TRUE(Rejected(bmp_file(3000, 3000, 24, {}, Bytes(100, 0)),
                       "image declares 3000x3000 pixels at 24 bits (27000000 bytes of rows from byte 54) but the "
                       "file has 154 bytes"));
  // Exactly enough rows decodes: 2x2 at 24 bits is two 8-byte rows (6 bytes + 2 padding).
  const Bytes ok = bmp_file(2, 2, 24, {}, {1, 2, 3, 4, 5, 6, 0, 0, 7, 8, 9, 10, 11, 12, 0, 0});
  Image img;
  ASSERT_TRUE(decode_image(ok.data(), ok.size(), &img).ok());
  EXPECT_EQ(Bytes(img.pixels.begin(), img.pixels.end()), Bytes({9, 8, 7, 12, 11, 10, 3, 2, 1, 6, 5, 4}));
  Bytes short_by_one = ok;
  short_by_one.resize(ok.size() - 3);
  EXPECT_TRUE(Rejected(short_by_one, "image declares 2x2 pixels at 24 bits"));
  // A failed decode leaves the output as it was.
  EXPECT_FALSE(decode_image(bomb.data(), bomb.size(), &img).ok());
  EXPECT_EQ(img.width, 2);
  EXPECT_EQ(img.pixels.size(), 12u);
}

TEST(ImageCheck, BmpRejectsPaletteIndicesPastThePalette) {
  // One palette entry and a pixel using entry 200, which stb_image 2.27 would read from its
  // uninitialized stack palette.
  EXPECT_TRUE(Rejected(bmp_file(4, 1, 8, {0x30, 0x20, 0x10, 0}, {0, 0, 200, 0}),
                       "a pixel uses palette entry 200, past the 1-entry palette"));
  EXPECT_TRUE(Rejected(bmp_file(3, 1, 4, {0x30, 0x20, 0x10, 0, 1, 2, 3, 0}, {0x10, 0x20, 0, 0}),
                       "a pixel uses palette entry 2, past the 2-entry palette"));
  // A pixel offset inside the header leaves stb_image a negative palette size.
  EXPECT_TRUE(Rejected(bmp_file(4, 1, 8, {}, Bytes(1028, 0), 20),
                       "the pixel data offset 20 points inside the 54-byte header"));
  const Bytes ok = bmp_file(4, 1, 8, {0x30, 0x20, 0x10, 0, 0x60, 0x50, 0x40, 0}, {1, 0, 1, 0});
  Image img;
  Status s = decode_image(ok.data(), ok.size(), &img);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Bytes(img.pixels.begin(), img.pixels.end()),
            Bytes({0x40, 0x50, 0x60, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x10, 0x20, 0x30}));
}

TEST(ImagePixelBuffer, BehavesLikeAByteVector) {
  PixelBuffer a(5);
  ASSERT_EQ(a.size(), 5u);
  for (uint8_t v : a) EXPECT_EQ(v, 0);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<uint8_t>(i + 1);
  PixelBuffer b = a;
  b[0] = 9;
  EXPECT_EQ(a[0], 1);
  EXPECT_TRUE(a != b);
  b[0] = 1;
  EXPECT_TRUE(a == b);
  b.resize(8);
  EXPECT_EQ(b[4], 5);
  EXPECT_EQ(b[7], 0);
  PixelBuffer c = std::move(b);
  EXPECT_EQ(c.size(), 8u);
  EXPECT_TRUE(b.empty());
  c.resize(0);
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(c.data(), nullptr);
  uint8_t* raw = static_cast<uint8_t*>(std::malloc(3));
  raw[2] = 7;
  PixelBuffer d = PixelBuffer::adopt(raw, 3);
  EXPECT_EQ(d.data(), raw);
  EXPECT_EQ(d[2], 7);
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
