// libFuzzer target: `braincam prepare` on a dataset folder of fuzzed files. The input is split at
// the first kSeparator into yes/scan.png and no/scan.jpg (without one, both files hold the whole
// input); the folder is prepared into a cache folder next to it, both in a temporary folder of
// each run, removed after it. Success or a DataError (FileError) is fine; anything else — a crash,
// a sanitizer report, another exception type — is a bug.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "data/data_error.h"
#include "data/prepare_dataset.h"

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSeparator = "--next-file--";

void write(const fs::path& file, std::string_view bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

// A new folder under the temporary directory, for one run.
fs::path new_work_folder() {
  std::string name = (fs::temp_directory_path() / "prepare_folder_fuzzer.XXXXXX").string();
  if (!mkdtemp(name.data())) std::abort();
  return name;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace braincam::data;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t cut = input.find(kSeparator);
  const std::string_view first = input.substr(0, cut);
  const std::string_view second =
      cut == std::string_view::npos ? input : input.substr(cut + kSeparator.size());
  const fs::path work = new_work_folder();
  const fs::path dataset = work / "data", cache = work / "cache";
  write(dataset / "yes" / "scan.png", first);
  write(dataset / "no" / "scan.jpg", second);
  // Keep each run fast: huge images only repeat the work of small ones.
  const PrepareOptions options{
      .data_dir = dataset, .cache_dir = cache, .limits = {.max_pixels = 1 << 20}};
  try {
    prepare_dataset(options);
  } catch (const DataError&) {
  }
  fs::remove_all(work);
  return 0;
}
