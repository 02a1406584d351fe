// Dependencies run one way (DESIGN.md): bindings -> api -> vision/runtime -> ops -> kernels -> core.
// This reads every file under src/core, src/kernels and src/ops and fails on an #include of a
// project header from a layer above. The Graph IR header (model/graph.h), which ops read their
// node options from, is allowed in ops and is itself held to core only.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// Project includes ("dir/file.h") of one file.
std::vector<std::string> project_includes(const fs::path& file) {
  static const std::regex include_re(R"re(^\s*#\s*include\s*"([^"]+)")re");
  std::vector<std::string> out;
  std::ifstream in(file);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, include_re)) out.push_back(m[1].str());
  }
  return out;
}

bool allowed(const std::string& include, const std::vector<std::string>& prefixes) {
  for (const std::string& p : prefixes) {
    if (include.rfind(p, 0) == 0) return true;
  }
  return false;
}

// Every include of every file under src/<dir> must start with one of `prefixes`; returns the
// offending "file: include" lines and how many files were read.
std::vector<std::string> violations(const std::string& dir, const std::vector<std::string>& prefixes, int* files) {
  std::vector<std::string> bad;
  const fs::path root = fs::path(FD_SOURCE_DIR) / "src";
  for (const auto& e : fs::recursive_directory_iterator(root / dir)) {
    if (!e.is_regular_file()) continue;
    const std::string ext = e.path().extension().string();
    if (ext != ".h" && ext != ".cc") continue;
    ++*files;
    for (const std::string& inc : project_includes(e.path())) {
      if (!allowed(inc, prefixes)) bad.push_back(fs::relative(e.path(), root).string() + ": " + inc);
    }
  }
  return bad;
}

TEST(Layering, CoreIncludesOnlyCore) {
  int files = 0;
  EXPECT_EQ(violations("core", {"core/"}, &files), std::vector<std::string>());
  EXPECT_GT(files, 5);
}

TEST(Layering, KernelsIncludeOnlyKernelsAndCore) {
  int files = 0;
  EXPECT_EQ(violations("kernels", {"kernels/", "core/"}, &files), std::vector<std::string>());
  EXPECT_GT(files, 20);
}

TEST(Layering, OpsIncludeOnlyOpsKernelsCoreAndTheGraphIr) {
  int files = 0;
  EXPECT_EQ(violations("ops", {"ops/", "kernels/", "core/", "model/graph.h"}, &files), std::vector<std::string>());
  EXPECT_GT(files, 20);
  const fs::path ir = fs::path(FD_SOURCE_DIR) / "src/model/graph.h";
  for (const std::string& inc : project_includes(ir)) EXPECT_EQ(inc.rfind("core/", 0), 0u) << "model/graph.h: " << inc;
}

TEST(Layering, TheCheckSeesAViolation) {
  // The rule applied to runtime/, which includes ops/, must report it.
  int files = 0;
  EXPECT_FALSE(violations("runtime", {"core/"}, &files).empty());
}

}  // namespace
