/*
 * test_remote_url.c - the remote layer's URL rules for WebDAV and SFTP
 * (src/remote/remote.c): schemes and kinds, paths kept as "/a/b/", the
 * plain-HTTP and proxy rules, and what remote_open needs (a user, a
 * password or key file, a known_hosts file for SFTP).  No network.
 */
#include <string.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/remote.h"
#include "remote_impl.h"
#include "tap.h"

static int
check(const char *url, const char *proxy, int plain)
{
	struct remote_config c;
	const char *why = NULL;

	memset(&c, 0, sizeof(c));
	c.url = url;
	c.proxy = proxy;
	c.allow_plain_http = plain;
	return remote_check(&c, &why);
}

/* remote_open with a user and password (and known_hosts for SFTP). */
static struct remote *
open_ok(const char *url, const char *user)
{
	struct remote_config c;
	struct remote *r = NULL;
	const char *why = NULL;

	memset(&c, 0, sizeof(c));
	c.url = url;
	c.user = user;
	c.password = "pw";
	c.known_hosts = "/dev/null";
	return remote_open(&r, &c, &why) == 0 ? r : NULL;
}

static void
kinds(void)
{
	tap_check(remote_url_kind("webdav://h/d") == REMOTE_DAV &&
	        remote_url_kind("webdavs://h/d") == REMOTE_DAV &&
	        remote_url_kind("webdav+http://127.0.0.1:8080/d") == REMOTE_DAV,
	    "webdav://, webdavs://, webdav+http:// are WebDAV");
	tap_check(remote_url_kind("sftp://u@h:2222/srv/x") == REMOTE_SFTP,
	    "sftp:// is SFTP");
	tap_check(remote_url_kind("s3://h/bucket") == REMOTE_S3 &&
	        remote_url_kind("/media/stick") == REMOTE_DIR,
	    "s3:// and paths keep their kinds");
}

static void
rules(void)
{
	tap_check(check("webdav://dav.example.org/e", NULL, 0) == 0,
	    "webdav:// (HTTPS) to any host");
	tap_check(check("webdav+http://dav.example.org/e", NULL, 0) ==
	            CAIRN_ERR_INVAL &&
	        check("webdav+http://dav.example.org/e", NULL, 1) == 0 &&
	        check("webdav+http://[::1]:80/e", NULL, 0) == 0,
	    "webdav+http:// only to loopback unless allowed");
	tap_check(check("webdav+http://abc.onion/e", "socks5h://127.0.0.1:9050",
	              0) == 0 &&
	        check("webdav+http://abc.onion/e", "socks5://127.0.0.1:9050",
	            0) == CAIRN_ERR_INVAL,
	    ".onion WebDAV through socks5h:// only");
	tap_check(check("webdav://h/a/../b", NULL, 0) == CAIRN_ERR_INVAL &&
	        check("webdav://h/a/.hidden", NULL, 0) == CAIRN_ERR_INVAL &&
	        check("webdav://h/a//b", NULL, 0) == CAIRN_ERR_INVAL &&
	        check("webdav://h/a b", NULL, 0) == CAIRN_ERR_INVAL,
	    "paths with .., hidden segments, // or spaces are refused");
	tap_check(check("webdav://h", NULL, 0) == CAIRN_ERR_INVAL &&
	        check("webdav://h:99999/x", NULL, 0) == CAIRN_ERR_INVAL &&
	        check("webdav://h:0/x", NULL, 0) == CAIRN_ERR_INVAL &&
	        check("webdav://h:65535/x", NULL, 0) == 0,
	    "no path, or a bad port, is refused");
	tap_check(check("sftp://u@h/~/x", NULL, 0) == 0 &&
	        check("sftp://u@h/~", NULL, 0) == 0 &&
	        check("sftp://u@h/~x", NULL, 0) == CAIRN_ERR_INVAL &&
	        check("sftp://u@h/~/a/~", NULL, 0) == CAIRN_ERR_INVAL &&
	        check("sftp://u@h/a/~", NULL, 0) == CAIRN_ERR_INVAL &&
	        check("webdav://h/~/x", NULL, 0) == CAIRN_ERR_INVAL,
	    "~ only as SFTP's first segment");
	tap_check(check("sftp://u@h/x", "http://127.0.0.1:3128", 0) ==
	            CAIRN_ERR_INVAL &&
	        check("sftp://u@h/x", "socks5h://127.0.0.1:9050", 0) == 0,
	    "sftp:// only through a SOCKS proxy");
	tap_check(check("sftp://bad user@h/x", NULL, 0) == CAIRN_ERR_INVAL &&
	        check("sftp://@h/x", NULL, 0) == CAIRN_ERR_INVAL,
	    "bad user names are refused");
}

static void
opening(void)
{
	struct remote_config c;
	struct remote *r = NULL;
	const char *why = NULL;

	r = open_ok("webdav://h:8443/remote.php/dav/files/a@b.org/", "u");
	tap_check(r && strcmp(r->path, "/remote.php/dav/files/a@b.org/") == 0 &&
	        strcmp(r->host, "h") == 0 && strcmp(r->port, "8443") == 0 &&
	        r->https && strcmp(r->access_key, "u") == 0,
	    "a WebDAV URL: host, port, path ending in '/'");
	remote_free(r);
	r = open_ok("webdav+http://127.0.0.1/", "u");
	tap_check(
	    r && strcmp(r->path, "/") == 0 && !r->https, "the root collection");
	remote_free(r);
	r = open_ok("sftp://alice@h:2222/~/drop", NULL);
	tap_check(r && strcmp(r->access_key, "alice") == 0 &&
	        strcmp(r->path, "/~/drop/") == 0,
	    "the SFTP user from the URL");
	remote_free(r);
	r = open_ok("sftp://alice@h/drop", "bob");
	tap_check(r && strcmp(r->access_key, "bob") == 0,
	    "a user= line overrides the URL's");
	remote_free(r);

	memset(&c, 0, sizeof(c));
	c.url = "sftp://h/drop";
	c.key_file = "/k";
	c.known_hosts = "/dev/null";
	r = NULL;
	tap_check(remote_open(&r, &c, &why) == CAIRN_ERR_INVAL && r == NULL &&
	        why && strstr(why, "no user"),
	    "SFTP without a user is refused");
	c.url = "sftp://u@h/drop";
	c.known_hosts = NULL;
	tap_check(remote_open(&r, &c, &why) == CAIRN_ERR_INVAL && why &&
	        strstr(why, "known_hosts"),
	    "SFTP without a known_hosts file is refused");
	c.known_hosts = "/dev/null";
	c.key_file = NULL;
	tap_check(remote_open(&r, &c, &why) == CAIRN_ERR_INVAL,
	    "SFTP without a key file or password is refused");
	c.key_file = "/k";
	tap_check(remote_open(&r, &c, &why) == 0 && r->secret_key == NULL &&
	        strcmp(r->key_file, "/k") == 0,
	    "SFTP with a key file and no password");
	remote_free(r);
	memset(&c, 0, sizeof(c));
	c.url = "webdav://h/d";
	c.user = "u";
	r = NULL;
	tap_check(remote_open(&r, &c, &why) == CAIRN_ERR_INVAL && why &&
	        strstr(why, "no password"),
	    "WebDAV without a password is refused");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	kinds();
	rules();
	opening();
	return tap_done();
}
