#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "fwkit/core/error.hpp"
#include "fwkit/io/file_lock.hpp"
#include "fwkit/io/provenance.hpp"
#include "fwkit/io/reader.hpp"
#include "fwkit/io/result_file.hpp"

using namespace fw;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("fwkit-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

}  // namespace

TEST_CASE("HDF5 round trip: datasets, dimensions, attributes", "[io]") {
  const fs::path path = scratch("roundtrip.h5");
  {
    io::ResultFile f(path);
    const io::Group root = f.root();
    io::write_provenance(root, "test", "round trip", {"fwkit test", "a = 1\n", 42u});
    const io::Group g = root.group("grid");
    const std::vector<double> xs{0.0, 0.5, 1.0}, ys{-1.0, 1.0};
    g.add_dimension("x", xs, {"1", "first coordinate"});
    g.add_dimension("y", ys, {"1", "second coordinate"});
    std::vector<double> v(6);
    for (int i = 0; i < 6; ++i) v[i] = i * 1.5;
    g.write("V", {"x", "y"}, std::span<const double>(v), {"1", "quasi-potential"});
    std::vector<std::int64_t> flags{0, 1, 1};
    g.write("flag", {"x"}, std::span<const std::int64_t>(flags), {"1", "status", {0, 1}, "far accepted"});
    g.set_attribute("note", "héllo ✓");
    g.set_attribute("h", 0.125);
    CHECK(fs::exists(f.temporary_path()));
    CHECK_FALSE(fs::exists(path));
    f.commit();
  }
  REQUIRE(fs::exists(path));
  io::Reader r(path);
  const io::Array a = r.read("/grid/V");
  CHECK(a.shape == std::vector<std::size_t>{3, 2});
  CHECK(a.at({2, 1}) == 7.5);
  CHECK(r.read("/grid/flag").data == std::vector<double>{0, 1, 1});
  CHECK(r.string_attribute("/grid", "note") == "héllo ✓");
  CHECK(r.number_attribute("/grid", "h") == 0.125);
  CHECK(r.string_attribute("/grid/V", "long_name") == "quasi-potential");
  CHECK(r.string_attribute("/", "fwkit_kind") == "test");
  CHECK(r.number_attribute("/provenance", "seed") == 42);
  CHECK(r.string_attribute("/provenance", "config") == "a = 1\n");
  CHECK(r.string_attribute("/grid/x", "CLASS") == "DIMENSION_SCALE");
  CHECK(r.exists("/grid/y"));
  CHECK_FALSE(r.exists("/grid/z/w"));
  const auto members = r.members("/grid");
  CHECK(members.size() == 4);
  fs::remove(path);
}

TEST_CASE("a large dataset is chunked under 1 MiB and compressed", "[io]") {
  const fs::path path = scratch("big.h5");
  io::ResultFile f(path);
  std::vector<double> xs(1000), v(1000 * 1000, 1.0);
  for (int i = 0; i < 1000; ++i) xs[i] = i;
  f.root().add_dimension("i", xs, {"1", "i"});
  f.root().add_dimension("j", xs, {"1", "j"});
  f.root().write("ones", {"i", "j"}, std::span<const double>(v), {"1", "ones"});
  f.commit();
  // 8 MB of ones compress to a small fraction of that.
  CHECK(fs::file_size(path) < 1'000'000);
  io::Reader r(path);
  CHECK(r.read("/ones").size() == 1000 * 1000);
  fs::remove(path);
}

TEST_CASE("an uncommitted result file leaves nothing behind", "[io]") {
  const fs::path path = scratch("abandoned.h5");
  fs::path temp;
  {
    io::ResultFile f(path);
    temp = f.temporary_path();
    f.root().set_attribute("partial", "yes");
  }
  CHECK_FALSE(fs::exists(path));
  CHECK_FALSE(fs::exists(temp));
}

TEST_CASE("a process killed mid-write leaves no file under the final name", "[io]") {
  const fs::path path = scratch("killed.h5");
  int pipefd[2];
  REQUIRE(pipe(pipefd) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(pipefd[0]);
    io::ResultFile f(path);
    std::vector<double> xs(100);
    f.root().add_dimension("i", xs, {"1", "i"});
    const char ready = 1;
    (void)!write(pipefd[1], &ready, 1);  // tell the parent we are mid-write
    for (;;) pause();                     // never commits
  }
  close(pipefd[1]);
  char ready = 0;
  REQUIRE(read(pipefd[0], &ready, 1) == 1);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFSIGNALED(status));
  CHECK_FALSE(fs::exists(path));
  // The temporary remains, under a name that says so, and the stale lock
  // file, which the kernel unlocked when the writer died.
  const fs::path lock = io::lock_path_for(path);
  CHECK(fs::exists(lock));
  auto leftovers = [&] {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path.parent_path())) {
      const std::string name = e.path().filename().string();
      if (name.rfind("killed.h5", 0) == 0 && e.path() != lock) names.push_back(name);
    }
    return names;
  };
  REQUIRE(leftovers().size() == 1);
  CHECK_THAT(leftovers()[0], Catch::Contains(".tmp-") && Catch::EndsWith("-" + std::to_string(child)));
  // Temporaries of a live process (the test runner's parent) and of another
  // host are not touched; the dead child's is removed by the next writer.
  const std::string stem = leftovers()[0].substr(0, leftovers()[0].rfind('-') + 1);
  const fs::path live = path.parent_path() / (stem + std::to_string(::getppid()));
  const fs::path other_host = path.parent_path() / "killed.h5.tmp-elsewhere-1";
  std::ofstream(live) << "x";
  std::ofstream(other_host) << "x";
  {
    io::ResultFile again(path);
    again.commit();
  }
  CHECK(fs::exists(path));
  CHECK_FALSE(fs::exists(lock));  // the next writer took the stale lock over and removed it
  CHECK(fs::exists(live));
  CHECK(fs::exists(other_host));
  CHECK(leftovers().size() == 3);  // killed.h5 and the two kept
  fs::remove(live);
  fs::remove(other_host);
}

TEST_CASE("unwritable outputs and missing inputs have their exit codes", "[io]") {
  try {
    io::ResultFile f("/nonexistent-folder/out.h5");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kCannotCreate);
    CHECK_THAT(e.what(), Catch::Contains("/nonexistent-folder"));
  }
  try {
    io::Reader r("/nonexistent-folder/in.h5");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kNoInput);
  }
}

TEST_CASE("an in-memory result file is written like any other and never stored", "[io][mpi]") {
  const fs::path path = scratch("memory.h5");
  {
    auto file = io::ResultFile::in_memory(path.string());
    const io::Group g = file->root().group("g");
    g.add_index_dimension("i", 3, "index");
    const std::vector<double> v{1, 2, 3};
    g.write("v", {"i"}, std::span<const double>(v), {"1", "values"});
    file->commit();
  }
  REQUIRE_FALSE(fs::exists(path));
  for (const auto& entry : fs::directory_iterator(path.parent_path()))
    REQUIRE(entry.path().filename().string().rfind("memory.h5", 0) == std::string::npos);
}
