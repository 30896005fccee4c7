// The etcd cluster the etcd tests run on.
//
// Under ctest, one cluster serves the whole run: the fixture test etcd_cluster_start
// (tests/etcd/fixture.sh) starts it and names it in the file RCUVFS_ETCD_CLUSTER
// points to (the endpoints on its first line). Run by hand, a test process starts a
// cluster of its own with scripts/etcd-cluster.sh and stops it when it exits. Each
// test works under a prefix of its own, so tests share a cluster without meeting.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#ifndef RCUVFS_SOURCE_DIR
#error "RCUVFS_SOURCE_DIR: the project's source directory (for scripts/etcd-cluster.sh)"
#endif

namespace rcuvfs_test {

class OwnEtcdCluster {
 public:
  OwnEtcdCluster() {
    char tmpl[] = "/dev/shm/rcuvfs-etcd-XXXXXX";
    if (!mkdtemp(tmpl)) return;
    dir_ = tmpl;
    // The script wants an empty or absent directory.
    const std::string cmd = "sh " RCUVFS_SOURCE_DIR "/scripts/etcd-cluster.sh start " + dir_ +
                            "/c 2>&2";
    if (FILE* p = popen(cmd.c_str(), "r")) {
      char buf[512] = {};
      if (fgets(buf, sizeof buf, p)) endpoints_ = buf;
      if (pclose(p) != 0) endpoints_.clear();
    }
    while (!endpoints_.empty() && endpoints_.back() == '\n') endpoints_.pop_back();
  }
  ~OwnEtcdCluster() {
    if (dir_.empty()) return;
    const std::string cmd = "sh " RCUVFS_SOURCE_DIR "/scripts/etcd-cluster.sh stop " + dir_ +
                            "/c >/dev/null 2>&1; rm -rf " + dir_;
    (void)!std::system(cmd.c_str());
  }
  const std::string& endpoints() const { return endpoints_; }
  // Member n (1-3): SIGKILL it, or start it again (returns once it is healthy).
  bool kill(int n) { return script("kill", n); }
  bool restart(int n) { return script("restart", n); }
  // Member n stops answering, its connections left open (SIGSTOP), and goes on.
  bool pause(int n) { return script("pause", n); }
  bool resume(int n) { return script("resume", n); }

 private:
  bool script(const char* cmd, int n) {
    const std::string c = "sh " RCUVFS_SOURCE_DIR "/scripts/etcd-cluster.sh " +
                          std::string(cmd) + " " + dir_ + "/c " + std::to_string(n) +
                          " >/dev/null";
    return !dir_.empty() && std::system(c.c_str()) == 0;
  }

  std::string dir_, endpoints_;
};

// The cluster's client endpoints ("http://127.0.0.1:P1,..."), or "" when there is none
// and none could be started.
inline std::string etcd_endpoints() {
  if (const char* f = std::getenv("RCUVFS_ETCD_CLUSTER")) {
    std::ifstream in(f);
    std::string line;
    std::getline(in, line);
    return line;
  }
  static OwnEtcdCluster own;
  return own.endpoints();
}

// A prefix no other test (or process) uses.
inline std::string etcd_prefix() {
  static std::atomic<int> n{0};
  std::random_device rd;
  return "test/" + std::to_string(getpid()) + "-" + std::to_string(n++) + "-" +
         std::to_string(rd()) + "/";
}

}  // namespace rcuvfs_test
