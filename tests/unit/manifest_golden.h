/*
 * manifest_golden.h - the known manifest text shared by test_manifest.c
 * and test_manifest_decode.c, and the mutated()/FAILS() shorthands that
 * decode it with one substring replaced (manifest_mut.h).  Test-only.
 */
#ifndef CAIRN_TEST_MANIFEST_GOLDEN_H
#define CAIRN_TEST_MANIFEST_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cairn/err.h"
#include "cairn/manifest.h"
#include "cairn/minisig.h"
#include "manifest_mut.h"
#include "tap.h"

// clang-format off
static const char golden[] =
    MANIFEST_FIXTURE_HEAD(1)
    "  \"case\": \"CASE-2026-042\",\n"
    "  \"notes\": [\n"
    "    \"chain of custody: received from J. Doe\"\n"
    "  ],\n"
    "  \"entries\": [\n"
    "    {\n"
    "      \"path\": \"photos\",\n"
    "      \"type\": \"dir\",\n"
    "      \"mode\": \"0755\",\n"
    "      \"mtime\": \"2026-11-27T10:00:00Z\"\n"
    "    },\n"
    "    {\n"
    "      \"path\": \"photos/caf\xc3\xa9.jpg\",\n"
    "      \"type\": \"file\",\n"
    "      \"size\": 123,\n"
    "      \"mode\": \"0644\",\n"
    "      \"mtime\": \"2026-11-27T10:00:01Z\",\n"
    "      \"mime\": \"image/jpeg\"\n"
    "    }\n"
    "  ]\n"
    "}\n";
// clang-format on

/* Decode golden with the first occurrence of from replaced by to. */
#define mutated(from, to) manifest_mutated(golden, from, to)

#define FAILS(from, to, want, what) TAP_EQ_INT(mutated(from, to), want, what)

#endif
