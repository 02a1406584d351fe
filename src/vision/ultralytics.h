// Ultralytics exports (`yolo export format=tflite`): the metadata they append to the TFLite file
// as a zip archive (metadata.json in 8.3.x, temp_meta.txt, a Python-literal dict, in 8.1.x),
// turned into featherdet decoder metadata, and the family a YOLO output shape implies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vision/json.h"
#include "core/shape.h"
#include "core/status.h"

namespace fd {

// Parses a Python literal as Ultralytics writes its metadata dict: dicts (keys of any literal
// type become strings: {0: 'person'} -> {"0": "person"}), lists, tuples, strings in single or
// double quotes, integers, floats, True, False, None. Nothing is evaluated.
Status parse_python_literal(const std::string& text, JsonValue* out);

// The YOLO family of a single detection output: "yolov8" for [1, 4+C, N] (or [1, N, 4+C]),
// "yolov5" for [1, N, 5+C]; `classes` is the number of class names, or 0 when unknown. Empty when
// the shape fits neither.
std::string yolo_family_for_shape(const Shape& shape, int classes);

// Reads the Ultralytics metadata of the model file `data` (the zip after the flatbuffer) and
// writes the decoder metadata it implies into *meta: family from `output_shapes`, labels from
// `names`, input size from `imgsz`, RGB / 255 input, letterbox with 114 padding, normalized
// boxes, score/IoU thresholds 0.25/0.45. *found is false (and the call succeeds) when the file
// has no readable archive or no metadata entry in it (*note then says why, when there was an
// archive); a metadata entry that is malformed, or a task other than detection, is an error.
Status ultralytics_decoder_metadata(const uint8_t* data, size_t size, const std::vector<Shape>& output_shapes,
                                    bool* found, JsonValue* meta, std::string* note);

}  // namespace fd
