// Detector options for the fuzz targets, read from JSON text the way the JavaScript API reads an
// options object ({scoreThreshold, iouThreshold, maxResults, categoryAllowlist,
// categoryDenylist, decoder}), with no type checks beyond what the typed fields need: the
// detector must reject whatever values reach it.
#pragma once

#include <string>
#include <vector>

#include "api/detector.h"
#include "vision/json.h"

namespace fd {

inline DetectorOptions fuzz_options(const std::string& text) {
  DetectorOptions o;
  JsonValue v;
  if (!parse_json(text, &v).ok() || !v.is_object()) return o;
  auto number = [&](const char* key) -> const JsonValue* {
    const JsonValue* n = v.find(key);
    return n != nullptr && n->is_number() ? n : nullptr;
  };
  if (const JsonValue* n = number("scoreThreshold")) o.score_threshold = static_cast<float>(n->as_number());
  if (const JsonValue* n = number("iouThreshold")) o.iou_threshold = static_cast<float>(n->as_number());
  if (const JsonValue* n = number("maxResults")) {
    const double m = n->as_number();
    if (m >= -1e9 && m <= 1e9) o.max_results = static_cast<int>(m);
  }
  for (const auto& [key, field] : {std::make_pair("categoryAllowlist", &o.category_allowlist),
                                   std::make_pair("categoryDenylist", &o.category_denylist)}) {
    const JsonValue* list = v.find(key);
    if (list == nullptr || !list->is_array()) continue;
    std::vector<std::string> names;
    for (const JsonValue& s : list->items()) {
      if (s.is_string()) names.push_back(s.as_string());
    }
    *field = std::move(names);
  }
  if (const JsonValue* d = v.find("decoder")) o.decoder = *d;
  return o;
}

}  // namespace fd
