// Status: errors as values across the C++ core; only bindings/ turn them into JS exceptions.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace fd {

// What kind of failure a Status is. bindings/ hand it to JavaScript, which picks the error class
// by it (never by the message).
enum class StatusCode : uint8_t {
  kOk = 0,
  kFailed,           // anything else: a malformed or unusable model, file or table
  kUnsupported,      // the model uses an operator, type or option featherdet does not implement
  kInvalidArgument,  // an option or argument from the caller is wrong
  kInvalidImage,     // image bytes that cannot be decoded
};

// Outcome of an operation: ok, or a message a user can act on and its kind.
class Status {
 public:
  Status() = default;
  // An error carrying `message`.
  static Status error(std::string message, StatusCode code = StatusCode::kFailed) {
    return Status(std::move(message), code);
  }
  // An error for something featherdet does not implement.
  static Status unsupported(std::string message) { return Status(std::move(message), StatusCode::kUnsupported); }
  static Status ok_status() { return Status(); }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // This error as another kind (ok stays ok).
  Status with_code(StatusCode code) const { return ok() ? *this : Status(message_, code); }

 private:
  Status(std::string message, StatusCode code) : code_(code), message_(std::move(message)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// The stable name of a code, as JavaScript receives it ('' for ok).
inline const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "";
    case StatusCode::kFailed: return "failed";
    case StatusCode::kUnsupported: return "unsupported";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kInvalidImage: return "invalid_image";
  }
  return "failed";
}

// Returns early from the calling function when `expr` yields an error Status.
#define FD_RETURN_IF_ERROR(expr)          \
  do {                                    \
    ::fd::Status fd_status_ = (expr);     \
    if (!fd_status_.ok()) return fd_status_; \
  } while (0)

}  // namespace fd
