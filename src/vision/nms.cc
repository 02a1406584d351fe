#include "vision/nms.h"

#include <algorithm>

namespace fd {
namespace {

void sort_by_score(std::vector<Candidate>* cands) {
  std::sort(cands->begin(), cands->end(), [](const Candidate& a, const Candidate& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.order < b.order;
  });
}

}  // namespace

float box_iou(const Candidate& a, const Candidate& b) {
  const float area_a = (a.x1 - a.x0) * (a.y1 - a.y0);
  const float area_b = (b.x1 - b.x0) * (b.y1 - b.y0);
  if (!(area_a > 0.0f) || !(area_b > 0.0f)) return 0.0f;
  const float iw = std::min(a.x1, b.x1) - std::max(a.x0, b.x0);
  const float ih = std::min(a.y1, b.y1) - std::max(a.y0, b.y0);
  if (iw <= 0.0f || ih <= 0.0f) return 0.0f;
  const float inter = iw * ih;
  return inter / (area_a + area_b - inter);
}

void nms_hard(std::vector<Candidate>* cands, float iou_threshold, int max_results, std::vector<Candidate>* out) {
  out->clear();
  sort_by_score(cands);
  for (const Candidate& c : *cands) {
    if (static_cast<int>(out->size()) >= max_results) break;
    bool keep = true;
    for (const Candidate& k : *out) {
      if (k.label == c.label && box_iou(k, c) > iou_threshold) {
        keep = false;
        break;
      }
    }
    if (keep) out->push_back(c);
  }
}

void nms_weighted(std::vector<Candidate>* cands, float iou_threshold, int max_results, std::vector<Candidate>* out) {
  out->clear();
  sort_by_score(cands);
  std::vector<Candidate>& c = *cands;
  // Candidates still unclustered occupy c[0, remaining) in score order.
  size_t remaining = c.size();
  while (remaining > 0 && static_cast<int>(out->size()) < max_results) {
    const Candidate top = c[0];
    float wsum = 0.0f, x0 = 0.0f, y0 = 0.0f, x1 = 0.0f, y1 = 0.0f;
    float kp[2 * kMaxKeypoints] = {};
    size_t kept = 0;
    for (size_t i = 0; i < remaining; ++i) {
      if (i == 0 || box_iou(top, c[i]) > iou_threshold) {
        const float w = c[i].score;
        wsum += w;
        x0 += w * c[i].x0;
        y0 += w * c[i].y0;
        x1 += w * c[i].x1;
        y1 += w * c[i].y1;
        for (int k = 0; k < 2 * top.num_keypoints; ++k) kp[k] += w * c[i].kp[k];
      } else {
        c[kept++] = c[i];  // stays in score order
      }
    }
    remaining = kept;
    Candidate merged = top;
    if (wsum > 0.0f) {
      merged.x0 = x0 / wsum;
      merged.y0 = y0 / wsum;
      merged.x1 = x1 / wsum;
      merged.y1 = y1 / wsum;
      for (int k = 0; k < 2 * top.num_keypoints; ++k) merged.kp[k] = kp[k] / wsum;
    }
    out->push_back(merged);
  }
}

}  // namespace fd
