// Status: errors as values across the C++ core; only bindings/ turn them into JS exceptions.
#pragma once

#include <string>
#include <utility>

namespace fd {

// Outcome of an operation: ok, or a message a user can act on.
class Status {
 public:
  Status() = default;
  // An error carrying `message`.
  static Status error(std::string message) { return Status(std::move(message)); }
  static Status ok_status() { return Status(); }
  bool ok() const { return !failed_; }
  const std::string& message() const { return message_; }

 private:
  explicit Status(std::string message) : failed_(true), message_(std::move(message)) {}
  bool failed_ = false;
  std::string message_;
};

// Returns early from the calling function when `expr` yields an error Status.
#define FD_RETURN_IF_ERROR(expr)          \
  do {                                    \
    ::fd::Status fd_status_ = (expr);     \
    if (!fd_status_.ok()) return fd_status_; \
  } while (0)

}  // namespace fd
