#!/usr/bin/env bash
# Seed corpora for the fuzz targets, made from ../shared: small re-encodings of its photos,
# its small .tflite and .onnx models, the bundled models (built from ../shared by
# scripts/models.mjs), and the metadata and options those models carry.
# Usage: seeds.sh OUT_DIR SHARED_DIR REPO_DIR CONVERTER (featherdet-convert) SEED_MODELS (fuzz_seed_models)
set -euo pipefail
out=$1 shared=$2 repo=$3 convert=$4 seed_models=$5
rm -rf "$out"
mkdir -p "$out"/{tflite,detector,onnx,image,json}

# Images: two photos at three small sizes, as baseline JPEG, PNG (RGB, gray, RGBA, palette) and BMP.
n=0
for photo in "$shared/conformance/images/face.jpg" "$shared/conformance/images/grace_hopper.bmp"; do
  for size in 16x12 33x21 64x48; do
    n=$((n + 1))
    scale="scale=${size/x/:}"
    ffmpeg -v error -y -i "$photo" -vf "$scale" -q:v 5 "$out/image/$n.jpg"
    ffmpeg -v error -y -i "$photo" -vf "$scale" -pix_fmt rgb24 "$out/image/$n.png"
    ffmpeg -v error -y -i "$photo" -vf "$scale" -pix_fmt gray "$out/image/$n-gray.png"
    ffmpeg -v error -y -i "$photo" -vf "$scale" -pix_fmt rgba "$out/image/$n-rgba.png"
    ffmpeg -v error -y -i "$photo" -vf "$scale" -pix_fmt pal8 "$out/image/$n-pal.png"
    ffmpeg -v error -y -i "$photo" -vf "$scale" -pix_fmt bgr24 "$out/image/$n.bmp"
    ffmpeg -v error -y -i "$photo" -vf "$scale" -pix_fmt gray "$out/image/$n-gray.jpg"
  done
done

# Models: the shared detectors converted at small input sizes (a fuzzed invoke then takes
# milliseconds, not seconds, under the sanitizers), float and INT8, small upstream files, and
# one-op models of every op (fuzz_seed_models).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/calib"
calib=("$shared"/data/coco128/train2017/images/*.jpg)
cp "${calib[@]:0:2}" "$tmp/calib/"
up="$shared/models/upstream"
(cd "$repo" && node --input-type=module -e "
  import { readFileSync, writeFileSync } from 'node:fs';
  import { resizeStaticOnnx } from './scripts/onnx_resize.mjs';
  writeFileSync('$tmp/nanodet64.onnx', resizeStaticOnnx(readFileSync('$up/nanodet_m_416.onnx'), [416, 416], [64, 64]));
")
convert_seed() {  # NAME ONNX PRESET WxH [converter options...]
  local name=$1 onnx=$2 preset=$3 size=$4
  shift 4
  "$convert" "$onnx" -o "$out/tflite/$name.tflite" --preset "$preset" --input-size "$size" \
    --labels "$up/coco.names" --calib "$tmp/calib" "$@" >/dev/null
}
convert_seed yunet32 "$up/yunet_n_dynamic.onnx" yunet 32x32
convert_seed yunet64x32-float "$up/yunet_n_dynamic.onnx" yunet 64x32 --float
convert_seed nanodet64 "$tmp/nanodet64.onnx" nanodet 64x64
convert_seed nanodet64-nhwc "$tmp/nanodet64.onnx" nanodet 64x64 --channels-last-reshapes --float-outputs
# FastestDet at its own size: too slow to invoke in the fuzz budget, still a seed for reading and preparing.
convert_seed fastestdet352 "$up/fastestdet_352.onnx" fastestdet 352x352
"$seed_models" "$out/tflite" >/dev/null
mv "$out"/tflite/detector-*.bin "$out/detector/"
mv "$out"/tflite/onnx-*.onnx "$out/onnx/"
cp "$up/blazeface_short_range.tflite" "$shared/conformance/tflite/mobilenet_v1_0.25_128_quant.tflite" "$out/tflite/"
cp "$up/yunet_n_dynamic.onnx" "$tmp/nanodet64.onnx" "$up/fastestdet_352.onnx" "$out/onnx/"

# Detector inputs: frame byte, 16-bit options length, options JSON, model (fuzz_detector.cc).
options=('' '{"scoreThreshold":0.05,"maxResults":3}' '{"categoryAllowlist":["person"],"iouThreshold":0.3}'
  '{"decoder":{"input":{"resize":"stretch"}}}' '{"decoder":{"input":{"pixels":"BGR","mean":[103.53,116.28,123.675],"std":57}}}')
detector_seed() {  # NAME OPTIONS MODEL
  local o=$2
  { printf "\\x$(printf %02x $((${#1} * 37 % 256)))"
    printf "\\x$(printf %02x $((${#o} % 256)))\\x$(printf %02x $((${#o} / 256)))"
    printf '%s' "$o"
    cat "$3"; } > "$out/detector/$1.bin"
}
i=0
for m in yunet32 nanodet64 nanodet64-nhwc; do
  for o in "${options[@]}"; do
    i=$((i + 1))
    detector_seed "$m-$i" "$o" "$out/tflite/$m.tflite"
  done
done
detector_seed blazeface '{"decoder":{"family":"blazeface"}}' "$out/tflite/blazeface_short_range.tflite"

# Metadata and options text.
for o in "${options[@]}"; do [ -n "$o" ] && printf '%s' "$o" > "$out/json/options-$((++i)).json"; done
printf '%s' '{"decoder":{"family":"blazeface"}}' > "$out/json/options-decoder.json"
cp "$repo/models/manifest.json" "$out/json/"
(cd "$repo" && node --input-type=module -e "
  import { writeFileSync } from 'node:fs';
  import { readManifest, metadataOf } from './scripts/models.mjs';
  for (const m of readManifest().models) writeFileSync('$out/json/' + m.id + '.json', JSON.stringify(metadataOf(m)));
")
printf '%s' "{'description': 'Ultralytics YOLOv8n model', 'stride': 32, 'task': 'detect', 'batch': 1, 'imgsz': [640, 640], 'names': {0: 'person', 1: 'bicycle'}, 'args': {'int8': True, 'nms': False}, 'half': None}" \
  > "$out/json/temp_meta.txt"
printf '%s' '{"family":"yolov8","input":{"width":640,"height":640,"range":"0,1","resize":"letterbox","pad":114},"normalized":true,"labels":["a","b"],"scoreThreshold":0.25}' \
  > "$out/json/yolov8.json"
printf '%s' '{"family":"blazeface","anchors":{"numLayers":4,"minScale":0.1484375,"maxScale":0.75,"strides":[8,16,16,16]},"keypoints":["a","b"],"input":{"range":"-1,1"}}' \
  > "$out/json/blazeface.json"
