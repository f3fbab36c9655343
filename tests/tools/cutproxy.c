/*
 * cutproxy.c - a loopback TCP relay for the remote tests: it forwards
 * each connection to 127.0.0.1:TARGET_PORT and, once CUT_BYTES bytes in
 * all have gone from clients to the server, cuts the connection that
 * crossed the mark (once; later connections are relayed whole).  With
 * RATE > 0 it forwards client bytes at about RATE bytes a second, so a
 * test can kill the client in the middle of an upload.  It logs one line
 * per finished connection to LOG: "conn N up BYTES down BYTES cut 0|1".
 *
 *   cutproxy PORT_FILE TARGET_PORT CUT_BYTES RATE LOG
 *
 * The listening port (127.0.0.1, chosen by the kernel) is written to
 * PORT_FILE.  Runs until killed.  Test tool only: one connection at a
 * time, no error recovery.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static unsigned long long up_total, cut_at;
static int cut_done;
static long rate;

static int
connect_target(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void
pace(size_t n)
{
	struct timespec ts;
	double s;

	if (rate <= 0)
		return;
	s = (double)n / (double)rate;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/* Relay c <-> s until either side closes (or the cut). */
static void
relay(int c, int s, unsigned long long *up, unsigned long long *down, int *cut)
{
	struct pollfd p[2] = {{c, POLLIN, 0}, {s, POLLIN, 0}};
	char buf[16384];

	for (;;) {
		if (poll(p, 2, -1) < 0)
			return;
		for (int i = 0; i < 2; i++) {
			size_t want = sizeof(buf);
			ssize_t n;

			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (i == 0 && !cut_done && cut_at > 0 &&
			    cut_at - up_total < want)
				want = (size_t)(cut_at - up_total);
			if (i == 0 && rate > 0 && want > 4096)
				want = 4096;
			n = read(p[i].fd, buf, want);
			if (n <= 0)
				return;
			if (write(p[1 - i].fd, buf, (size_t)n) != n)
				return;
			if (i == 1) {
				*down += (unsigned long long)n;
				continue;
			}
			*up += (unsigned long long)n;
			up_total += (unsigned long long)n;
			pace((size_t)n);
			if (!cut_done && cut_at > 0 && up_total >= cut_at) {
				cut_done = *cut = 1;
				return;
			}
		}
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	char tmp[4096];
	FILE *f, *log;
	int l, target, conn = 0;

	if (argc != 6) {
		fprintf(stderr,
		    "usage: cutproxy PORT_FILE TARGET_PORT "
		    "CUT_BYTES RATE LOG\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	target = atoi(argv[2]);
	cut_at = strtoull(argv[3], NULL, 10);
	rate = atol(argv[4]);
	if ((log = fopen(argv[5], "a")) == NULL)
		return 1;
	l = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(l, 16) != 0 ||
	    getsockname(l, (struct sockaddr *)&a, &len) != 0)
		return 1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
	if ((f = fopen(tmp, "w")) == NULL)
		return 1;
	fprintf(f, "%d\n", ntohs(a.sin_port));
	fclose(f);
	rename(tmp, argv[1]);
	for (;;) {
		unsigned long long up = 0, down = 0;
		int c = accept(l, NULL, NULL), s, cut = 0;

		if (c < 0)
			continue;
		if ((s = connect_target(target)) >= 0) {
			relay(c, s, &up, &down, &cut);
			close(s);
		}
		close(c);
		fprintf(log, "conn %d up %llu down %llu cut %d\n", ++conn, up,
		    down, cut);
		fflush(log);
	}
}
