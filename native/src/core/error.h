// Every failure below the binding is a tf::Error; the binding turns it (and any
// vendor exception) into a JS exception, so nothing aborts the process.
#pragma once
#include <stdexcept>
#include <string>

namespace tf {

struct Error : std::runtime_error {
  std::string code;
  Error(std::string code_, const std::string& msg) : std::runtime_error(msg), code(std::move(code_)) {}
};

#define TF_CHECK(cond, msg)                                   \
  do {                                                        \
    if (!(cond)) throw ::tf::Error("ERR_NATIVE_ASSERT", msg); \
  } while (0)

}  // namespace tf
