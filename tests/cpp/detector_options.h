// Detector options for tests: a decoder override written as metadata JSON (the featherdet
// metadata's shape), plus typed fields set by the caller.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "api/detector.h"
#include "vision/json.h"

namespace fd {

inline DetectorOptions decoder_options(const std::string& metadata_json) {
  DetectorOptions o;
  JsonValue v;
  const Status s = parse_json(metadata_json, &v);
  EXPECT_TRUE(s.ok()) << s.message() << ": " << metadata_json;
  o.decoder = std::move(v);
  return o;
}

}  // namespace fd
