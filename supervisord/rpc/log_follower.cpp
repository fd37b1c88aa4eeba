#include "supervisord/rpc/log_follower.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "common/unique_fd.h"

namespace rpc {

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kMaxPending = 1 << 20;

struct Follower : std::enable_shared_from_this<Follower> {
  Follower(boost::asio::io_context& loop, std::string path, common::HttpStream stream)
      : timer(loop), path(std::move(path)), stream(std::move(stream)) {}

  bool openFile() {
    file = common::UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (!file || ::fstat(file.get(), &st) != 0) return false;
    inode = st.st_ino;
    position = 0;
    return true;
  }

  int64_t size() const {
    struct stat st {};
    if (!file || ::fstat(file.get(), &st) != 0) return -1;
    return st.st_size;
  }

  // tail_f_producer.more(): follow a rotation, then send what was added.
  void poll() {
    if (!stream.open()) return;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && st.st_ino != inode) openFile();
    const int64_t now = size();
    if (now >= 0 && stream.pendingBytes() < kMaxPending) {
      if (now < position) {
        position = 0;
        stream.write("==> File truncated <==\n");
      } else if (now > position) {
        std::string chunk(static_cast<std::size_t>(std::min<int64_t>(now - position, kReadChunk)), '\0');
        ssize_t n = ::pread(file.get(), chunk.data(), chunk.size(), position);
        if (n > 0) {
          chunk.resize(static_cast<std::size_t>(n));
          position += n;
          stream.write(std::move(chunk));
        }
      }
    }
    schedule();
  }

  void schedule() {
    timer.expires_after(std::chrono::milliseconds(100));
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->poll();
    });
  }

  boost::asio::steady_timer timer;
  std::string path;
  common::HttpStream stream;
  common::UniqueFd file;
  ino_t inode = 0;
  int64_t position = 0;
};

}  // namespace

void followLog(boost::asio::io_context& loop, const std::string& path, common::HttpStream stream, int64_t head) {
  auto follower = std::make_shared<Follower>(loop, path, stream);
  if (!follower->openFile()) {
    stream.finish();
    return;
  }
  const int64_t size = follower->size();
  if (size >= head) follower->position = size - head;
  std::weak_ptr<Follower> weak = follower;
  stream.onClose([weak] {
    if (auto f = weak.lock()) f->timer.cancel();
  });
  follower->poll();
}

}  // namespace rpc
