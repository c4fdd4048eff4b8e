#include "sensors/decode_result.h"

namespace longtail::sensors {

std::string_view ToString(DecodeErrorKind kind) {
  switch (kind) {
    case DecodeErrorKind::kTruncated:
      return "truncated";
    case DecodeErrorKind::kMalformed:
      return "malformed";
    case DecodeErrorKind::kUnsupported:
      return "unsupported";
    case DecodeErrorKind::kChecksumMismatch:
      return "checksum mismatch";
    case DecodeErrorKind::kTooLarge:
      return "too large";
  }
  return "unknown";
}

}  // namespace longtail::sensors
