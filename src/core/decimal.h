// Decimal numbers as text, without the C library's locale-aware, long-double strtod and printf
// (about 20 KB of wasm): reading the numbers of metadata (JSON, Python literals) and writing
// numbers into messages.
#pragma once

#include <cstddef>
#include <string>

namespace fd {

// Reads a decimal number at the start of [p, end): an optional sign, digits with an optional
// '.', an optional exponent (e or E, optional sign, digits). Returns the characters read, 0 when
// there is no number. Correctly rounded when the digits, without leading zeros, fit in 19 and
// give at most 2^53 with a power-of-ten exponent within +/-22 (what metadata files hold: 0.45,
// 57.375, 1e-5); otherwise within a few units in the last place. Too large: +/-infinity.
size_t parse_decimal(const char* p, const char* end, double* out);

// `v` with up to 6 significant digits as printf's %g writes it: "0.25", "1e-40", "-3.5e+12",
// "inf", "nan".
std::string format_decimal(double v);

}  // namespace fd
