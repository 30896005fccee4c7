// A file `rcuvfs bench` writes a result to (--json FILE, --plot FILE.svg). It is opened
// before the run, so that a path that cannot be written fails at once instead of after
// minutes of measurement, and written only at the end, so that a run that fails leaves
// an existing file as it was.
#pragma once

#include <string>

namespace rcuvfs::tools::bench {

class OutputFile {
 public:
  OutputFile() = default;
  // A file that open() created and nothing was written to is removed again.
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // `dest`: a path, or "-" for standard output (nothing to open). The file is created
  // if missing and left as it is otherwise. Returns "" or "PATH: reason".
  std::string open(const std::string& dest);
  // Replaces what the file holds with `text`. Returns "" or "PATH: reason".
  std::string write(const std::string& text);
  // Another program wrote the file (gnuplot): it stays.
  void keep() { written_ = true; }

 private:
  std::string path_;
  int fd_ = -1;
  bool created_ = false, written_ = false;
};

}  // namespace rcuvfs::tools::bench
