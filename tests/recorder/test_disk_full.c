/*
** test_disk_full.c — a real full disk: a 3 MB tmpfs (mounted by the test,
** as root; it says it skipped where it cannot mount one), a program
** recording 200,001 spans onto it.  The recorder waits for the full disk
** once (one batch retried for retry_ms), then fails the rest at once but
** for a probe a second; it says how many spans were not stored; the file
** stays whole; and recording resumes once room is made.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "test_filter.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>
#include "tracelm/tracelm.h"
#include "internal.h"
#include "test_db.h"

static char mount_dir[64];
static int mounted;

static int mount_small_disk(void **state){
  (void)state;
  snprintf(mount_dir, sizeof mount_dir, "/tmp/tracelm-full-XXXXXX");
  if( mkdtemp(mount_dir) == NULL ) return -1;
  mounted = mount("tmpfs", mount_dir, "tmpfs", 0, "size=3m") == 0;
  return 0;
}

static int unmount_small_disk(void **state){
  (void)state;
  if( mounted ) umount(mount_dir);
  rmdir(mount_dir);
  return 0;
}

static void test_a_full_disk_is_waited_for_once_and_recording_resumes(void **state){
  (void)state;
  char path[128], filler[128], check[64];
  tlm_options opts;
  tlm_stats stats;
  if( !mounted ){
    printf("SKIPPED: cannot mount a tmpfs here (not root, or no permission)\n");
    skip();
  }
  snprintf(path, sizeof path, "%s/trace.db", mount_dir);
  snprintf(filler, sizeof filler, "%s/filler", mount_dir);
  /* Room to free later: 1 MB of the 3. */
  FILE *f = fopen(filler, "w");
  assert_non_null(f);
  for(int i = 0; i < 1024; i++){ char block[1024] = {0}; fwrite(block, 1, sizeof block, f); }
  fclose(f);

  tlm_options_init(&opts);
  opts.db_path = path;
  opts.ignore_env_traceparent = 1;
  opts.retry_ms = 2000;
  assert_int_equal(tlm_init(&opts), TLM_OK);
  double start = test_seconds_now();
  tlm_span *root = tlm_span_begin("flood");
  for(int i = 0; i < 200000; i++) tlm_span_end(tlm_span_begin("step"));
  tlm_span_end(root);
  assert_int_equal(tlm_flush(), TLM_ELOST);
  double elapsed = test_seconds_now() - start;
  tlm_recorder *rec = tlm_resolve(NULL);
  tlm_recorder_stats(NULL, &stats);
  printf("full disk: 200,001 spans recorded and flushed in %.1f s (retry_ms 2000);"
         " %llu stored, %llu not; %llu probes\n", elapsed, (unsigned long long)stats.spans_written,
         (unsigned long long)stats.spans_failed, (unsigned long long)rec->probes);
  assert_true(stats.spans_failed > 0);
  assert_int_equal(stats.spans_written + stats.spans_failed, 200001);
  assert_non_null(strstr(tlm_last_error(), "spans not stored since the last flush"));
  /* At most one batch waited out retry_ms; every other one was tried once, or,
  ** once the disk was found full, only at a probe a second. */
  assert_true(rec->batches_retried <= 1);   /* 0 where the first try alone outlasted retry_ms */
  assert_true(rec->probes <= (uint64_t)elapsed + 1);
  test_db_text(path, "PRAGMA integrity_check", check, sizeof check);
  assert_string_equal(check, "ok");

  /* Room is made; within a second a probe finds it, and spans are stored. */
  assert_int_equal(unlink(filler), 0);
  usleep(1100 * 1000);
  root = tlm_span_begin("after");
  for(int i = 0; i < 99; i++) tlm_span_end(tlm_span_begin("step"));
  tlm_span_end(root);
  assert_int_equal(tlm_flush(), TLM_OK);
  assert_int_equal(rec->degraded, 0);
  assert_int_equal(test_db_int(path, "SELECT count(*) FROM spans WHERE trace_id ="
                                     " (SELECT trace_id FROM spans WHERE name = 'after')"), 100);
  assert_int_equal(tlm_shutdown(), TLM_OK);
  test_db_text(path, "PRAGMA integrity_check", check, sizeof check);
  assert_string_equal(check, "ok");
}

int main(void){
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_a_full_disk_is_waited_for_once_and_recording_resumes),
  };
  tlm_test_filter_from_env();
  return cmocka_run_group_tests(tests, mount_small_disk, unmount_small_disk);
}
