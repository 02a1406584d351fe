// Image decoding (stb_image: BMP, JPEG, PNG) and bilinear resizing with half-pixel centers.
#include <gtest/gtest.h>

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
