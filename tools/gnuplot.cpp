#include "tools/gnuplot.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "base/atomic_file.h"

extern char** environ;

namespace braincam::tools {
namespace fs = std::filesystem;

namespace {

const char* gnuplot_executable() {
  const char* custom = std::getenv("BRAINCAM_GNUPLOT");
  return custom && *custom ? custom : "gnuplot";
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_data(const fs::path& file, const void* data, std::size_t size) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out)
    throw std::runtime_error(file.string() +
                             ": cannot write gnuplot data: " + std::strerror(errno));
}

}  // namespace

std::string gnuplot_quote(std::string_view text) {
  std::string q = "'";
  for (char c : text) {
    if (c == '\'') q += '\'';
    if (c != '\n') q += c;
  }
  return q + "'";
}

GnuplotJob::GnuplotJob() {
  std::string pattern = (fs::temp_directory_path() / "braincam-gnuplot-XXXXXX").string();
  if (!::mkdtemp(pattern.data()))
    throw std::runtime_error(
        pattern + ": cannot create a temporary folder for gnuplot: " + std::strerror(errno));
  dir_ = pattern;
}

GnuplotJob::~GnuplotJob() {
  discard_outputs();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

void GnuplotJob::discard_outputs() {
  std::error_code ignored;
  for (const Output& o : outputs_) fs::remove(o.temp, ignored);
  outputs_.clear();
}

std::string GnuplotJob::data_file(const std::string& name, std::string_view text) {
  write_data(dir_ / name, text.data(), text.size());
  return gnuplot_quote((dir_ / name).string());
}

std::string GnuplotJob::data_file(const std::string& name, std::span<const std::uint8_t> bytes) {
  write_data(dir_ / name, bytes.data(), bytes.size());
  return gnuplot_quote((dir_ / name).string());
}

std::string GnuplotJob::png_output(const fs::path& target, int width, int height) {
  const fs::path temp = temporary_name(target);
  outputs_.push_back({target, temp});
  const std::string size = std::to_string(width) + "," + std::to_string(height);
  // GPVAL_TERMINALS lists the terminals this gnuplot was built with, each between spaces.
  return "if (strstrt(GPVAL_TERMINALS, ' pngcairo ') > 0) {\n"
         "  set terminal pngcairo size " +
         size +
         " font 'sans,10' noenhanced\n"
         "} else {\n"
         "  set terminal png size " +
         size +
         " font 'sans,10' noenhanced\n"
         "}\n"
         "set output " +
         gnuplot_quote(temp.string()) + "\n";
}

void GnuplotJob::run(const std::string& script) {
  const fs::path script_file = dir_ / "script.gp", log = dir_ / "gnuplot.log";
  // `unset output` at the end closes the last PNG before gnuplot exits.
  const std::string full = script + "\nunset output\n";
  write_data(script_file, full.data(), full.size());

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const std::string exe = gnuplot_executable(), script_path = script_file.string();
  char* argv[] = {const_cast<char*>(exe.c_str()), const_cast<char*>(script_path.c_str()), nullptr};
  pid_t pid = 0;
  const int spawn_error = ::posix_spawnp(&pid, exe.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0)
    throw std::runtime_error("cannot run '" + exe + "': " + std::strerror(spawn_error) +
                             (spawn_error == ENOENT
                                  ? " (install gnuplot: tools/install_deps.sh installs gnuplot-nox)"
                                  : ""));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      throw std::runtime_error("waiting for gnuplot: " + std::string(std::strerror(errno)));
  const std::string messages = read_text(log);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    discard_outputs();
    throw std::runtime_error("gnuplot failed (" +
                             (WIFEXITED(status)
                                  ? "exit status " + std::to_string(WEXITSTATUS(status))
                                  : std::string("killed by a signal")) +
                             "): " + messages);
  }
  for (const Output& o : outputs_) {
    std::error_code ec;
    if (fs::file_size(o.temp, ec) == 0 || ec) {
      discard_outputs();
      throw std::runtime_error(o.target.string() + ": gnuplot wrote nothing" +
                               (messages.empty() ? std::string() : ": " + messages));
    }
  }
  for (const Output& o : outputs_) {
    std::error_code ec;
    fs::rename(o.temp, o.target, ec);
    if (ec)
      throw std::runtime_error(o.target.string() +
                               ": cannot rename the finished chart into place: " + ec.message());
  }
  outputs_.clear();
}

}  // namespace braincam::tools
