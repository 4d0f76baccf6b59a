#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "fwkit/core/progress.hpp"

TEST_CASE("non-interactive progress is rate-limited and ends with one line", "[progress]") {
  char* buf = nullptr;
  std::size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  {
    fw::Progress p("work", 1000, f, 0, 3600.0);
    for (int i = 0; i < 1000; ++i) p.update(i);
    CHECK(p.lines_printed() == 0);  // a long interval: nothing before the end
    p.finish();
    CHECK(p.lines_printed() == 1);
  }
  std::fclose(f);
  const std::string out(buf, len);
  free(buf);
  CHECK(out.find("work: 100.0% (1000/1000)") != std::string::npos);
}

TEST_CASE("interactive progress draws a bar with an ETA", "[progress]") {
  char* buf = nullptr;
  std::size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  {
    fw::Progress p("solve", 10, f, 1);
    p.finish();
  }
  std::fclose(f);
  const std::string out(buf, len);
  free(buf);
  CHECK(out.find("[##############################]") != std::string::npos);
  CHECK(out.find("eta") != std::string::npos);
}

TEST_CASE("progress never goes backwards when a solver restarts its count", "[progress]") {
  // gMAM's relaxations (restarts, saddle checks) each report from 0 again:
  // the bar read 1.5%, 1.0%, 0.5% for a user.
  char* buf = nullptr;
  std::size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  {
    fw::Progress p("action", 1000, f, 0, 0.0);
    p.update(600);
    p.update(100);
    p.update(700);
  }
  std::fclose(f);
  const std::string out(buf, len);
  free(buf);
  CHECK(out.find("(600/1000)") != std::string::npos);
  CHECK(out.find("(100/1000)") == std::string::npos);
  CHECK(out.find("(700/1000)") != std::string::npos);
  CHECK(out.find("(600/1000)") < out.find("(700/1000)"));
}
