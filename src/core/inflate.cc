// Raw DEFLATE decoding (RFC 1951). Canonical Huffman codes are decoded a bit at a time from
// per-length code counts, which keeps the code small; speed is secondary (inputs are a few KB).
// Errors are sticky: the first one is kept, and once set every loop stops.
#include "core/inflate.h"

#include <string>

namespace fd {
namespace {

constexpr int kMaxBits = 15;  // longest code length
const char kTruncated[] = "deflate stream truncated";
const char kTooLarge[] = "deflate output too large";  // replaced by a message with the limit

// A canonical Huffman code: how many codes have each length, and the symbols in code order.
struct Huffman {
  uint16_t count[kMaxBits + 1];
  uint16_t symbol[288];
};

// Builds `h` from the code lengths of symbols 0..n-1 (0 = unused). False when the lengths
// over-subscribe the code space, or leave it incomplete with more than one code (RFC 1951 allows
// a lone code, e.g. a single distance).
bool build(Huffman* h, const uint8_t* lengths, int n) {
  for (uint16_t& c : h->count) c = 0;
  for (int i = 0; i < n; i++) h->count[lengths[i]]++;
  uint16_t offset[kMaxBits + 1];  // index in symbol[] of the first code of each length
  int left = 1, used = 0;
  offset[1] = 0;
  for (int len = 1; len <= kMaxBits; len++) {
    left = 2 * left - h->count[len];
    if (left < 0) return false;
    used += h->count[len];
    if (len < kMaxBits) offset[len + 1] = uint16_t(offset[len] + h->count[len]);
  }
  if (left > 0 && used > 1) return false;
  for (int i = 0; i < n; i++) {
    if (lengths[i]) h->symbol[offset[lengths[i]]++] = uint16_t(i);
  }
  return true;
}

class Inflater {
 public:
  Inflater(const uint8_t* in, size_t size, size_t max_output, std::vector<uint8_t>* out)
      : in_(in), size_(size), max_output_(max_output), out_(out) {}

  // Decodes blocks until the final one; returns null or the first error.
  const char* run() {
    out_->clear();
    Huffman lit, dist;
    bool last;
    do {
      last = bits(1);
      uint32_t type = bits(2);
      if (error_) break;
      if (type == 0) {
        stored();
      } else if (type == 1) {
        fixed(&lit, &dist);
        codes(lit, dist);
      } else if (type == 2) {
        dynamic(&lit, &dist);
        if (!error_) codes(lit, dist);
      } else {
        fail("deflate stream has invalid block type 3");
      }
    } while (!last && !error_);
    return error_;
  }

 private:
  void fail(const char* error) {
    if (!error_) error_ = error;
  }

  // The next n <= 16 bits, least significant first; 0 after the input runs out (sets the error).
  // Between calls fewer than 8 bits stay buffered.
  uint32_t bits(int n) {
    while (count_ < n) {
      if (pos_ == size_) {
        fail(kTruncated);
        return 0;
      }
      buf_ |= uint32_t(in_[pos_++]) << count_;
      count_ += 8;
    }
    uint32_t v = buf_ & ((1u << n) - 1);
    buf_ >>= n;
    count_ -= n;
    return v;
  }

  // One symbol of `h`. Canonical codes of one length are consecutive integers, starting at twice
  // the end of the previous length's codes.
  int decode(const Huffman& h) {
    int code = 0, first = 0, index = 0;
    for (int len = 1; len <= kMaxBits; len++) {
      code |= int(bits(1));
      int count = h.count[len];
      if (code - first < count) return h.symbol[index + code - first];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    fail("deflate stream has an invalid Huffman code");
    return 0;
  }

  // Whether n more output bytes stay within max_output (sets the error otherwise).
  bool room(size_t n) {
    if (n <= max_output_ - out_->size()) return true;
    fail(kTooLarge);
    return false;
  }

  void stored() {
    buf_ = 0;  // skip to a byte boundary
    count_ = 0;
    if (size_ - pos_ < 4) return fail(kTruncated);
    size_t len = in_[pos_] | in_[pos_ + 1] << 8, nlen = in_[pos_ + 2] | in_[pos_ + 3] << 8;
    pos_ += 4;
    if (len != (~nlen & 0xffff)) return fail("deflate stored block length does not match its complement");
    if (size_ - pos_ < len) return fail(kTruncated);
    if (!room(len)) return;
    out_->insert(out_->end(), in_ + pos_, in_ + pos_ + len);
    pos_ += len;
  }

  // The fixed codes of RFC 1951 3.2.6, with the unused symbols 286, 287 and 30, 31 (rejected
  // when decoded) so that both codes are complete.
  static void fixed(Huffman* lit, Huffman* dist) {
    uint8_t lengths[288];
    for (int i = 0; i < 288; i++) lengths[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
    build(lit, lengths, 288);
    for (int i = 0; i < 32; i++) lengths[i] = 5;
    build(dist, lengths, 32);
  }

  // Reads the code lengths of a dynamic block (RFC 1951 3.2.7) and builds its two codes.
  void dynamic(Huffman* lit, Huffman* dist) {
    static const uint8_t kOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    int nlit = int(bits(5)) + 257, ndist = int(bits(5)) + 1, ncode = int(bits(4)) + 4;
    if (nlit > 286 || ndist > 30) return fail("deflate stream has too many length or distance codes");
    uint8_t lengths[286 + 30] = {};
    for (int i = 0; i < ncode; i++) lengths[kOrder[i]] = uint8_t(bits(3));
    Huffman lencode;
    if (!build(&lencode, lengths, 19)) return fail("deflate stream has an invalid code-length code");
    for (int i = 0, n = nlit + ndist; i < n;) {
      int sym = decode(lencode);
      if (error_) return;
      if (sym < 16) {
        lengths[i++] = uint8_t(sym);
        continue;
      }
      uint8_t value = 0;
      int repeat;
      if (sym == 16) {
        if (i == 0) return fail("deflate stream repeats a code length before the first one");
        value = lengths[i - 1];
        repeat = 3 + int(bits(2));
      } else {
        repeat = sym == 17 ? 3 + int(bits(3)) : 11 + int(bits(7));
      }
      if (repeat > n - i) return fail("deflate stream has more code lengths than codes");
      while (repeat--) lengths[i++] = value;
    }
    if (error_) return;
    if (!lengths[256]) return fail("deflate stream has no end-of-block code");
    if (!build(lit, lengths, nlit)) return fail("deflate stream has an invalid literal/length code");
    if (!build(dist, lengths + nlit, ndist)) return fail("deflate stream has an invalid distance code");
  }

  // Decodes literals and (length, distance) copies up to the end-of-block symbol.
  void codes(const Huffman& lit, const Huffman& dist) {
    for (;;) {
      int sym = decode(lit);
      if (error_) return;
      if (sym < 256) {
        if (!room(1)) return;
        out_->push_back(uint8_t(sym));
        continue;
      }
      if (sym == 256) return;
      // Lengths 3..258: symbols 257-264 carry no extra bits, then four symbols per extra bit
      // from 1 to 5; symbol 285 is 258.
      int i = sym - 257;
      if (i > 28) return fail("deflate stream has an invalid length symbol");
      int extra = i < 8 || i == 28 ? 0 : i / 4 - 1;
      size_t len = i < 8 ? i + 3 : i == 28 ? 258 : ((4 + (i & 3)) << extra) + 3 + bits(extra);
      // Distances 1..32768: symbols 0-3 carry no extra bits, then two symbols per extra bit
      // from 1 to 13.
      int d = decode(dist);
      if (d > 29) return fail("deflate stream has an invalid distance symbol");
      extra = d < 4 ? 0 : d / 2 - 1;
      size_t distance = d < 4 ? d + 1 : ((2 + (d & 1)) << extra) + 1 + bits(extra);
      if (error_) return;
      if (distance > out_->size()) return fail("deflate stream distance too far back (before the start of the output)");
      if (!room(len)) return;
      for (size_t from = out_->size() - distance, end = from + len; from < end; from++) {
        uint8_t b = (*out_)[from];  // copies may overlap the bytes they produce
        out_->push_back(b);
      }
    }
  }

  const uint8_t* in_;
  size_t size_, max_output_;
  std::vector<uint8_t>* out_;
  size_t pos_ = 0;     // next input byte
  uint32_t buf_ = 0;   // buffered input bits, next bit lowest
  int count_ = 0;      // number of buffered bits
  const char* error_ = nullptr;
};

}  // namespace

Status inflate_raw(const uint8_t* in, size_t size, size_t max_output, std::vector<uint8_t>* out) {
  const char* error = Inflater(in, size, max_output, out).run();
  if (!error) return Status();
  out->clear();
  if (error == kTooLarge) {
    return Status::error("deflate output exceeds the limit of " + std::to_string(max_output) + " bytes");
  }
  return Status::error(error);
}

}  // namespace fd
