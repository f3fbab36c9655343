/*
 * manifest_time.c - the manifest's timestamps: RFC 3339 UTC to the second
 * ("YYYY-MM-DDTHH:MM:SSZ", years 0001..9999), formatted and parsed
 * strictly without the C library's time zone machinery (see manifest.h).
 *
 * Knows nothing of JSON or the rest of the manifest.
 */
#include <stdint.h>

#include "cairn/err.h"
#include "cairn/manifest.h"
#include "manifest_impl.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
days_in_month(int64_t y, int m)
{
	static const int dm[12] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

#define TIME_MIN (-62135596800LL) /* 0001-01-01T00:00:00Z */
#define TIME_MAX 253402300799LL   /* 9999-12-31T23:59:59Z */

int
manifest_time_in_range(int64_t t)
{
	return t >= TIME_MIN && t <= TIME_MAX;
}

int
manifest_time_format(int64_t t, char out[MANIFEST_TIME_LEN])
{
	int64_t days, secs, y;
	int m, d, i;
	int v[6];
	static const char sep[] = "--T::Z";
	static const int w[6] = {4, 2, 2, 2, 2, 2};
	char *p = out;

	if (!manifest_time_in_range(t))
		return CAIRN_ERR_INVAL;
	days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	secs = t - days * 86400;
	civil_from_days(days, &y, &m, &d);
	v[0] = (int)y, v[1] = m, v[2] = d;
	v[3] = (int)(secs / 3600), v[4] = (int)(secs / 60 % 60);
	v[5] = (int)(secs % 60);
	for (i = 0; i < 6; i++) {
		int k, x = v[i];

		for (k = w[i] - 1; k >= 0; k--, x /= 10)
			p[k] = (char)('0' + x % 10);
		p += w[i];
		*p++ = sep[i];
	}
	*p = '\0';
	return 0;
}

static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
manifest_time_parse(const char *s, size_t len, int64_t *t)
{
	int y, mo, d, h, mi, sec;

	if (len != MANIFEST_TIME_LEN - 1 || s[4] != '-' || s[7] != '-' ||
	    s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' ||
	    digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) ||
	    digits(s + 17, 2, &sec))
		return CAIRN_ERR_FORMAT;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
	    h > 23 || mi > 59 || sec > 59)
		return CAIRN_ERR_FORMAT;
	*t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}
