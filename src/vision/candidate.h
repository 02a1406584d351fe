// A decoded detection before and after NMS: box, score, class and keypoints, in one coordinate
// space (model-input pixels out of the decoders, source pixels after the detector maps them).
#pragma once

#include <cstdint>

namespace fd {

// Most keypoints a detection carries (BlazeFace has 6, YuNet 5).
constexpr int kMaxKeypoints = 8;

// One detection candidate; plain data so per-frame vectors of them never allocate once grown.
struct Candidate {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // corners, x0 <= x1, y0 <= y1
  float score = 0;                       // in [0, 1]
  int32_t label = 0;                     // class index
  int32_t order = 0;                     // decode order: ties in score keep this order
  int32_t num_keypoints = 0;
  float kp[2 * kMaxKeypoints] = {};      // x, y pairs
};

// The candidate of a box given by its center and size, with its score (capped at 1), class and
// decode order.
inline Candidate centered_candidate(float cx, float cy, float w, float h, float score, int32_t label, int32_t order) {
  Candidate d;
  d.x0 = cx - 0.5f * w;
  d.y0 = cy - 0.5f * h;
  d.x1 = cx + 0.5f * w;
  d.y1 = cy + 0.5f * h;
  d.score = score > 1.0f ? 1.0f : score;
  d.label = label;
  d.order = order;
  return d;
}

}  // namespace fd
