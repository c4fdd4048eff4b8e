// The one result type of every decoder in sensors/: the decoded value, or a DecodeError saying
// what kind of problem stopped it and, for a person, what exactly. Readers turn errors into
// DataIssues; the kind lets them count (CRC failures) or skip (unknown records) without reading
// the message text.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace longtail::sensors {

enum class DecodeErrorKind {
  kTruncated,         // the input ends before the fields it must hold
  kMalformed,         // the input is all there but is not a valid value (bad number, bad field)
  kUnsupported,       // a valid variant this code does not read (encoding, compression, opcode)
  kChecksumMismatch,  // a CRC the input carries disagrees with the input
  kTooLarge,          // a size beyond what the decoder agrees to allocate
};
// "truncated", "malformed", "unsupported", "checksum mismatch", "too large"
std::string_view ToString(DecodeErrorKind kind);

struct DecodeError {
  DecodeErrorKind kind = DecodeErrorKind::kMalformed;
  std::string message;  // "expected 30 values, found 12", "byte 24: string runs past the end"
};

// A T or a DecodeError, never both (a tiny std::expected, which GCC 12's C++20 lacks).
template <class T>
class [[nodiscard]] Decoded {
 public:
  Decoded(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Decoded(DecodeError error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // The value; only when ok().
  T& operator*() & { return std::get<0>(state_); }
  const T& operator*() const& { return std::get<0>(state_); }
  T&& operator*() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &std::get<0>(state_); }
  const T* operator->() const { return &std::get<0>(state_); }

  // The error; only when !ok().
  const DecodeError& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, DecodeError> state_;
};

}  // namespace longtail::sensors
