/*
 * polis-spawn: the process that starts polisd's short commands (mount, ip, crun start, umount, nft…).
 *
 * Node starts a process by fork(2): for polisd (~120 MB resident) that copies and then tears down its
 * page tables, ~5 ms per command during which the daemon's event loop is blocked, and a run starts
 * about eight commands. This helper is small, so its forks cost a fraction of that. polisd sends it
 * requests on its stdin and reads the results on its stdout (`packages/core/src/proc/helper.ts`); it
 * runs any number of commands at once and answers each when the command has exited and closed its
 * output, as Node's `close` event does.
 *
 * Frames, integers in host byte order (both ends are on the same machine):
 *   request:  u32 size-of-rest, u32 id, u32 argc, u32 envc, u32 has_input, u32 input_len,
 *             u32 max_stdout, u32 flags, u32 nfds, u32 timeout_ms (0: none; past it the command
 *             gets SIGTERM, as from Node's spawn `timeout`), then NUL-terminated strings: cwd ("" = the
 *             helper's), argv[argc], env[envc], nfds fd specs, then input_len bytes of input (the
 *             command's stdin; /dev/null without).
 *   response: u32 size-of-rest, u32 id, i32 kind (0 exited, 1 killed by a signal, 2 not started,
 *             3 started), i32 value (exit code, signal number, errno or pid), u32 stdout_len,
 *             u32 stderr_len, then the bytes of stdout (at most max_stdout of them) and of stderr.
 * flags: 1 = start (a long-lived process such as conmon: answered with kind 3 and its pid once it
 * has exec'd, and again when it exits; its stdio is /dev/null, nothing is captured), 2 = setsid.
 * An fd spec `<n>r<path>` or `<n>w<path>` opens path (a FIFO whose other end polisd holds) for
 * reading or writing as the child's fd n: the pipes podman hands conmon (sync, start, attach).
 * The helper exits when its stdin closes (polisd is gone) and its last command has ended.
 *
 * Two commands are the helper's own, run in the forked child instead of a program (the mount and
 * umount programs cost ~10 ms each to start here, for one system call): argv
 * `polis-spawn:mount SOURCE TARGET FSTYPE DATA` is mount(2) (in the request's cwd, so that overlay's
 * relative lowerdirs resolve), `polis-spawn:umount TARGET FLAGS` is umount2(2). Exit 0, or 32 (as
 * mount(8)) with "TARGET: strerror" on stderr. A third, `polis-spawn:pipesize BYTES FIFO…`, sets the
 * buffer of pipes whose ends the caller holds open (F_SETPIPE_SZ; Node has no fcntl): a 1 MiB pipe
 * wakes its reader and writer a sixteenth as often as the default 64 KiB one. A fourth,
 * `polis-spawn:mkfifo MODE PATH…` (octal MODE), is mkfifo(1) -m: conmon's pipes are FIFOs, made
 * at every start, and the program costs a few ms to start for a system call. A fifth,
 * `polis-spawn:netns PATH`, is `ip netns add` of /run/netns/NAME given as PATH (see `netns_add`).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_REQUEST (64u << 20)
#define DEFAULT_PATH "/usr/bin:/bin"

struct buf {
  char *data;
  size_t len, cap;
};

struct child {
  pid_t pid;
  uint32_t id;
  int in_fd, out_fd, err_fd;
  char *input;
  size_t input_len, input_off;
  struct buf out, err;
  size_t max_out;
  int exited, status;
  int started; /* a start request: no output captured */
  long long deadline; /* CLOCK_MONOTONIC ms when it gets SIGTERM; 0: never (or sent already) */
};

static struct child **children;
static size_t nchildren, children_cap;

static void die(const char *what) {
  (void)!write(2, "polis-spawn: ", 13);
  (void)!write(2, what, strlen(what));
  (void)!write(2, "\n", 1);
  _exit(1);
}

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) die("out of memory");
  return q;
}

static void buf_append(struct buf *b, const void *data, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
  }
  memcpy(b->data + b->len, data, n);
  b->len += n;
}

static void write_all(int fd, const void *data, size_t n) {
  const char *p = data;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      die("cannot write a response");
    }
    p += w;
    n -= (size_t)w;
  }
}

static void respond(uint32_t id, int32_t kind, int32_t value, const struct buf *out, const struct buf *err) {
  uint32_t out_len = out ? (uint32_t)out->len : 0, err_len = err ? (uint32_t)err->len : 0;
  uint32_t head[6] = {20 + out_len + err_len, id, (uint32_t)kind, (uint32_t)value, out_len, err_len};
  write_all(1, head, sizeof head);
  if (out_len) write_all(1, out->data, out_len);
  if (err_len) write_all(1, err->data, err_len);
}

/* execve, and as execvp does, a file without a #! line (ENOEXEC) run by /bin/sh. */
static void try_exec(const char *path, char **argv, char **envp) {
  execve(path, argv, envp);
  if (errno != ENOEXEC) return;
  size_t argc = 0;
  while (argv[argc]) argc++;
  char *sh_argv[argc + 2];
  sh_argv[0] = "/bin/sh";
  sh_argv[1] = (char *)path;
  for (size_t i = 1; i <= argc; i++) sh_argv[i + 1] = argv[i];
  execve("/bin/sh", sh_argv, envp);
  errno = ENOEXEC;
}

/* In the child: exec argv[0] as execvp would, with the PATH of the given environment. */
static int exec_with_path(char **argv, char **envp) {
  const char *file = argv[0];
  if (strchr(file, '/')) {
    try_exec(file, argv, envp);
    return errno;
  }
  const char *path = DEFAULT_PATH;
  for (char **e = envp; *e; e++)
    if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
  int saw_eacces = 0;
  size_t flen = strlen(file);
  for (const char *p = path;; p++) {
    const char *end = strchrnul(p, ':');
    size_t dlen = (size_t)(end - p);
    char full[4096];
    if (dlen + 1 + flen + 1 <= sizeof full) {
      if (dlen == 0) {
        memcpy(full, file, flen + 1);
      } else {
        memcpy(full, p, dlen);
        full[dlen] = '/';
        memcpy(full + dlen + 1, file, flen + 1);
      }
      try_exec(full, argv, envp);
      if (errno == EACCES) saw_eacces = 1;
    }
    if (*end == '\0') break;
    p = end;
  }
  return saw_eacces ? EACCES : ENOENT;
}

#define BUILTIN "polis-spawn:"

/*
 * As `ip netns add`: the directory made a shared mount point (so that the namespaces mounted in it
 * propagate into mount namespaces made later), an empty file, and a bind mount on it of a new network
 * namespace, unshared by this child, which exits right after. The file goes if the mount fails.
 */
static int netns_add(const char *path) {
  char dir[4096];
  const char *slash = strrchr(path, '/');
  if (!slash || slash == path || (size_t)(slash - path) >= sizeof dir) {
    errno = EINVAL;
    return -1;
  }
  memcpy(dir, path, (size_t)(slash - path));
  dir[slash - path] = '\0';
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) return -1;
  if (mount("", dir, "none", MS_SHARED | MS_REC, NULL) != 0) {
    if (errno != EINVAL) return -1;
    if (mount(dir, dir, "none", MS_BIND | MS_REC, NULL) != 0) return -1;
    if (mount("", dir, "none", MS_SHARED | MS_REC, NULL) != 0) return -1;
  }
  int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (fd < 0) return -1;
  close(fd);
  if (unshare(CLONE_NEWNET) != 0 || mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) != 0) {
    int saved = errno;
    unlink(path);
    errno = saved;
    return -1;
  }
  return 0;
}

/* In the child: one of the helper's own commands (see the top); its exit status. */
static int builtin(char **argv) {
  const char *op = argv[0] + strlen(BUILTIN);
  size_t argc = 0;
  while (argv[argc]) argc++;
  int ret;
  const char *target;
  if (strcmp(op, "mount") == 0 && argc == 5) {
    target = argv[2];
    ret = mount(argv[1], target, argv[3], 0, argv[4]);
  } else if (strcmp(op, "umount") == 0 && argc == 3) {
    target = argv[1];
    ret = umount2(target, atoi(argv[2]));
  } else if (strcmp(op, "pipesize") == 0 && argc >= 3) {
    ret = 0;
    target = argv[2];
    for (size_t i = 2; i < argc && ret == 0; i++) {
      target = argv[i];
      /* O_RDWR opens a FIFO without waiting for a peer; the pipe is the one the caller holds. */
      int fd = open(target, O_RDWR | O_NONBLOCK | O_CLOEXEC);
      ret = fd < 0 ? -1 : fcntl(fd, F_SETPIPE_SZ, atoi(argv[1])) < 0 ? -1 : 0;
      if (fd >= 0) {
        int saved = errno;
        close(fd);
        errno = saved;
      }
    }
  } else if (strcmp(op, "netns") == 0 && argc == 2) {
    target = argv[1];
    ret = netns_add(target);
  } else if (strcmp(op, "mkfifo") == 0 && argc >= 3) {
    ret = 0;
    target = argv[2];
    mode_t mode = (mode_t)strtoul(argv[1], NULL, 8);
    for (size_t i = 2; i < argc && ret == 0; i++) {
      target = argv[i];
      ret = mkfifo(target, mode);
      /* As mkfifo(1) -m: the mode exactly, whatever the umask. */
      if (ret == 0) ret = chmod(target, mode);
    }
  } else {
    dprintf(2, "polis-spawn: unknown command %s\n", argv[0]);
    return 2;
  }
  if (ret == 0) return 0;
  dprintf(2, "%s: %s\n", target, strerror(errno));
  return 32;
}

static int nonblocking(int fd) {
  return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

/* Moves a close-on-exec descriptor to 100 or above. */
static int above(int *fd) {
  int moved = fcntl(*fd, F_DUPFD_CLOEXEC, 100);
  if (moved < 0) return -1;
  close(*fd);
  *fd = moved;
  return 0;
}

#define FLAG_START 1u
#define FLAG_SETSID 2u

/* In the child: opens each fd spec's path and puts it at its fd number; 0 or an errno. */
static int place_fds(char **specs, uint32_t nfds) {
  int opened[nfds ? nfds : 1];
  for (uint32_t i = 0; i < nfds; i++) {
    char *end;
    long target = strtol(specs[i], &end, 10);
    int flags = *end == 'r' ? O_RDONLY : O_WRONLY;
    if (target < 3 || target > 64 || (*end != 'r' && *end != 'w')) return EINVAL;
    int fd = open(end + 1, flags);
    if (fd < 0) return errno;
    /* Above every target, so that no dup2 below lands on an fd still to be moved. */
    opened[i] = fcntl(fd, F_DUPFD, 100);
    close(fd);
    if (opened[i] < 0) return errno;
  }
  for (uint32_t i = 0; i < nfds; i++) {
    if (dup2(opened[i], (int)strtol(specs[i], NULL, 10)) < 0) return errno;
    close(opened[i]);
  }
  return 0;
}

/* Starts one command; answers at once (kind 2) when it cannot be started. */
static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void spawn_request(uint32_t id, char *cwd, char **argv, char **envp, int has_input, char *input,
                          size_t input_len, size_t max_out, uint32_t flags, char **fd_specs,
                          uint32_t nfds, uint32_t timeout_ms) {
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, report[2] = {-1, -1};
  int start = (flags & FLAG_START) != 0;
  if ((has_input && pipe2(in, O_CLOEXEC) < 0) || (!start && pipe2(out, O_CLOEXEC) < 0) ||
      (!start && pipe2(err, O_CLOEXEC) < 0) || pipe2(report, O_CLOEXEC) < 0 ||
      /* The child's fd specs name fds up to 64: the report's end must not be one of them. */
      above(&report[0]) < 0 || above(&report[1]) < 0) {
    int e = errno;
    close_fd(&in[0]), close_fd(&in[1]), close_fd(&out[0]), close_fd(&out[1]), close_fd(&err[0]);
    close_fd(&err[1]), close_fd(&report[0]), close_fd(&report[1]);
    respond(id, 2, e, NULL, NULL);
    return;
  }
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close_fd(&in[0]), close_fd(&in[1]), close_fd(&out[0]), close_fd(&out[1]), close_fd(&err[0]);
    close_fd(&err[1]), close(report[0]), close(report[1]);
    respond(id, 2, e, NULL, NULL);
    return;
  }
  if (pid == 0) {
    /* Signals as a fresh process has them: none blocked, none ignored (the helper ignores some). */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
    int stdin_fd = has_input ? in[0] : open("/dev/null", O_RDONLY | O_CLOEXEC);
    int null_out = start ? open("/dev/null", O_WRONLY | O_CLOEXEC) : -1;
    int e = 0;
    if (stdin_fd < 0 || dup2(stdin_fd, 0) < 0 || dup2(start ? null_out : out[1], 1) < 0 ||
        dup2(start ? null_out : err[1], 2) < 0)
      e = errno;
    if (!e && (flags & FLAG_SETSID) && setsid() < 0) e = errno;
    if (!e) e = place_fds(fd_specs, nfds);
    if (!e && cwd[0] != '\0' && chdir(cwd) < 0) e = errno;
    if (!e && strncmp(argv[0], BUILTIN, strlen(BUILTIN)) == 0) _exit(builtin(argv));
    if (!e) e = exec_with_path(argv, envp);
    (void)!write(report[1], &e, sizeof e);
    _exit(127);
  }
  close_fd(&in[0]);
  close_fd(&out[1]);
  close_fd(&err[1]);
  close(report[1]);
  /* Blocks until the exec (or its failure): the report pipe closes on exec. */
  int e = 0;
  ssize_t r;
  do r = read(report[0], &e, sizeof e);
  while (r < 0 && errno == EINTR);
  close(report[0]);
  if (r == (ssize_t)sizeof e) {
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    close_fd(&in[1]), close_fd(&out[0]), close_fd(&err[0]);
    respond(id, 2, e, NULL, NULL);
    return;
  }
  if (start) respond(id, 3, pid, NULL, NULL);
  struct child *c = calloc(1, sizeof *c);
  if (!c) die("out of memory");
  c->pid = pid;
  c->id = id;
  c->in_fd = in[1];
  c->out_fd = out[0];
  c->err_fd = err[0];
  c->max_out = max_out;
  c->started = start;
  c->deadline = timeout_ms ? now_ms() + timeout_ms : 0;
  if (has_input && input_len > 0) {
    c->input = xrealloc(NULL, input_len);
    memcpy(c->input, input, input_len);
    c->input_len = input_len;
  } else {
    close_fd(&c->in_fd);
  }
  if (c->in_fd >= 0) nonblocking(c->in_fd);
  if (c->out_fd >= 0) nonblocking(c->out_fd);
  if (c->err_fd >= 0) nonblocking(c->err_fd);
  if (nchildren == children_cap) {
    children_cap = children_cap ? children_cap * 2 : 16;
    children = xrealloc(children, children_cap * sizeof *children);
  }
  children[nchildren++] = c;
}

static uint32_t u32_at(const char *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* Parses one request frame (the bytes after its size) and starts its command. */
static void handle_request(char *frame, size_t size) {
  if (size < 36) die("short request");
  uint32_t id = u32_at(frame), argc = u32_at(frame + 4), envc = u32_at(frame + 8);
  uint32_t has_input = u32_at(frame + 12), input_len = u32_at(frame + 16), max_out = u32_at(frame + 20);
  uint32_t flags = u32_at(frame + 24), nfds = u32_at(frame + 28), timeout_ms = u32_at(frame + 32);
  if (argc == 0 || argc > 1u << 20 || envc > 1u << 20 || nfds > 16 || input_len > size - 36)
    die("bad request");
  char *p = frame + 36, *strings_end = frame + size - input_len;
  char **argv = xrealloc(NULL, (argc + 1) * sizeof *argv);
  char **envp = xrealloc(NULL, (envc + 1) * sizeof *envp);
  char **fd_specs = xrealloc(NULL, (nfds + 1) * sizeof *fd_specs);
  char *cwd = NULL;
  for (uint32_t i = 0; i < 1 + argc + envc + nfds; i++) {
    char *nul = memchr(p, '\0', (size_t)(strings_end - p));
    if (!nul) die("bad request strings");
    if (i == 0) cwd = p;
    else if (i <= argc) argv[i - 1] = p;
    else if (i <= argc + envc) envp[i - 1 - argc] = p;
    else fd_specs[i - 1 - argc - envc] = p;
    p = nul + 1;
  }
  argv[argc] = NULL;
  envp[envc] = NULL;
  spawn_request(id, cwd, argv, envp, has_input != 0, strings_end, input_len, max_out, flags, fd_specs,
                nfds, timeout_ms);
  free(argv);
  free(envp);
  free(fd_specs);
}

static void reap(void) {
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    for (size_t i = 0; i < nchildren; i++) {
      if (children[i]->pid == pid) {
        children[i]->exited = 1;
        children[i]->status = status;
      }
    }
  }
}

/* Reads what a pipe has; closes it at EOF. Output past `max` is read and dropped. */
static void drain(int *fd, struct buf *b, size_t max) {
  char chunk[65536];
  for (;;) {
    ssize_t r = read(*fd, chunk, sizeof chunk);
    if (r > 0) {
      size_t keep = b->len < max ? max - b->len : 0;
      if (keep > (size_t)r) keep = (size_t)r;
      if (keep) buf_append(b, chunk, keep);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno == EAGAIN) return;
    close_fd(fd);
    return;
  }
}

static void feed(struct child *c) {
  while (c->input_off < c->input_len) {
    ssize_t w = write(c->in_fd, c->input + c->input_off, c->input_len - c->input_off);
    if (w > 0) {
      c->input_off += (size_t)w;
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) return;
    break; /* EPIPE: the command stopped reading. */
  }
  close_fd(&c->in_fd);
}

static void finish(size_t i) {
  struct child *c = children[i];
  int s = c->status;
  if (WIFSIGNALED(s)) respond(c->id, 1, WTERMSIG(s), &c->out, &c->err);
  else respond(c->id, 0, WEXITSTATUS(s), &c->out, &c->err);
  close_fd(&c->in_fd);
  free(c->input);
  free(c->out.data);
  free(c->err.data);
  free(c);
  children[i] = children[--nchildren];
}

int main(void) {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &chld, NULL) < 0) die("sigprocmask");
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) die("signalfd");
  /* A command that closes its stdin early must not kill the helper; Ctrl-C at polisd's terminal
     reaches the whole process group, and polisd may still run commands while it shuts down. */
  signal(SIGPIPE, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  fcntl(0, F_SETFD, FD_CLOEXEC);
  fcntl(1, F_SETFD, FD_CLOEXEC);

  struct buf req = {0};
  int reading = 1;
  struct pollfd *fds = NULL;
  size_t fds_cap = 0;
  while (reading || nchildren > 0) {
    size_t need = 2 + 3 * nchildren;
    if (need > fds_cap) {
      fds_cap = need * 2;
      fds = xrealloc(fds, fds_cap * sizeof *fds);
    }
    size_t n = 0;
    fds[n++] = (struct pollfd){.fd = reading ? 0 : -1, .events = POLLIN};
    fds[n++] = (struct pollfd){.fd = sfd, .events = POLLIN};
    for (size_t i = 0; i < nchildren; i++) {
      struct child *c = children[i];
      fds[n++] = (struct pollfd){.fd = c->in_fd, .events = POLLOUT};
      fds[n++] = (struct pollfd){.fd = c->out_fd, .events = POLLIN};
      fds[n++] = (struct pollfd){.fd = c->err_fd, .events = POLLIN};
    }
    /* The nearest deadline bounds the wait; a command past its own gets SIGTERM, once. */
    int wait_ms = -1;
    long long now = now_ms();
    for (size_t i = 0; i < nchildren; i++) {
      struct child *c = children[i];
      if (!c->deadline || c->exited) continue;
      if (c->deadline <= now) {
        kill(c->pid, SIGTERM);
        c->deadline = 0;
        continue;
      }
      long long left = c->deadline - now;
      if (wait_ms < 0 || left < wait_ms) wait_ms = (int)(left > 1 << 30 ? 1 << 30 : left);
    }
    if (poll(fds, n, wait_ms) < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    if (fds[1].revents) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
      }
      reap();
    }
    for (size_t i = 0; i < nchildren; i++) {
      struct child *c = children[i];
      struct pollfd *f = &fds[2 + 3 * i];
      if (c->in_fd >= 0 && f[0].revents) feed(c);
      if (c->out_fd >= 0 && f[1].revents) drain(&c->out_fd, &c->out, c->max_out);
      if (c->err_fd >= 0 && f[2].revents) drain(&c->err_fd, &c->err, SIZE_MAX);
    }
    /* The table only changes after the pollfds of this round are used. */
    for (size_t i = nchildren; i-- > 0;) {
      struct child *c = children[i];
      if (c->exited && c->out_fd < 0 && c->err_fd < 0) finish(i);
    }
    if (fds[0].revents) {
      char chunk[65536];
      ssize_t r = read(0, chunk, sizeof chunk);
      if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) {
        reading = 0;
      } else if (r > 0) {
        buf_append(&req, chunk, (size_t)r);
        size_t off = 0;
        while (req.len - off >= 4) {
          uint32_t size = u32_at(req.data + off);
          if (size > MAX_REQUEST) die("request too large");
          if (req.len - off - 4 < size) break;
          handle_request(req.data + off + 4, size);
          off += 4 + size;
        }
        memmove(req.data, req.data + off, req.len - off);
        req.len -= off;
      }
    }
  }
  return 0;
}
