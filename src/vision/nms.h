// Non-maximum suppression over detection candidates: per-class hard NMS and MediaPipe-style
// weighted NMS. Neither allocates once `out` has grown to its working size.
#pragma once

#include <vector>

#include "vision/candidate.h"

namespace fd {

// Intersection over union of two boxes (0 when either has no area).
float box_iou(const Candidate& a, const Candidate& b);

// Sorts `cands` by score (descending; ties keep decode order), then keeps each candidate whose
// IoU with every kept candidate of the same label is <= iou_threshold, until `max_results` are
// kept. `out` is cleared first; `cands` is reordered.
void nms_hard(std::vector<Candidate>* cands, float iou_threshold, int max_results, std::vector<Candidate>* out);

// Weighted NMS (MediaPipe WEIGHTED): repeatedly takes the best remaining candidate, gathers every
// remaining one whose IoU with it exceeds iou_threshold (all labels), and outputs the score-
// weighted mean of their boxes and keypoints with the best candidate's score and label. Stops
// after `max_results` outputs. `out` is cleared first; `cands` is reordered and consumed.
void nms_weighted(std::vector<Candidate>* cands, float iou_threshold, int max_results, std::vector<Candidate>* out);

}  // namespace fd
