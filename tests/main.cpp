// The test runner's entry point. ctest runs each test case in its own process, selected by name:
// a name that selects nothing must fail rather than pass with nothing run.
#define DOCTEST_CONFIG_IMPLEMENT
#include <cstdio>
#include <string_view>

#include <doctest/doctest.h>

namespace {

unsigned test_cases_run = 0;

// Records how many test cases passed the filters.
struct CountingListener : doctest::IReporter {
  explicit CountingListener(const doctest::ContextOptions& /*options*/) {}
  void report_query(const doctest::QueryData& /*data*/) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats& stats) override { test_cases_run = stats.numTestCasesPassingFilters; }
  void test_case_start(const doctest::TestCaseData& /*data*/) override {}
  void test_case_reenter(const doctest::TestCaseData& /*data*/) override {}
  void test_case_end(const doctest::CurrentTestCaseStats& /*stats*/) override {}
  void test_case_exception(const doctest::TestCaseException& /*exception*/) override {}
  void subcase_start(const doctest::SubcaseSignature& /*signature*/) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData& /*data*/) override {}
  void log_message(const doctest::MessageData& /*data*/) override {}
  void test_case_skipped(const doctest::TestCaseData& /*data*/) override {}
};
REGISTER_LISTENER("counting", 1, CountingListener);

}  // namespace

#ifdef TKERAS_TEST_WORKER
// A test binary that starts copies of itself as child processes runs them in this mode.
int run_worker(int argc, char** argv);
#endif

int main(int argc, char** argv) {
#ifdef TKERAS_TEST_WORKER
  if (argc > 1 && std::string_view(argv[1]) == "--worker") return run_worker(argc, argv);
#endif
  doctest::Context context(argc, argv);
  const int result = context.run();
  if (context.shouldExit()) return result;
  if (result == 0 && test_cases_run == 0) {
    std::fprintf(stderr, "no test case matched the filters: a test name ctest could not pass through intact?\n");
    return 1;
  }
  return result;
}
