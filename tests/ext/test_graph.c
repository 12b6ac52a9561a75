/*
** test_graph.c — the trace graph (ext/core/graph.c) in C, below the SQL layer.
**
** The SQL tests see the graph through the functions' rows; these check the
** structure itself: depth-first order with children by start (longer
** first on ties, then write order), in both the radix passes and the
** long-run fallback of the sort; loops cut with every span kept once;
** the problem flags (duplicate ids cannot enter the table: its primary
** key; graph_problems.sql covers them in a table made by another tool); self time over overlapping children; and the cache.
*/
#define SQLITE_CORE 1          /* direct calls here; the extension's own go through its api */
#include "analyses.h"
#include <sqlite3.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "test_filter.h"

int sqlite3_tracelm_init(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api);

#define TRACE "0af7651916cd43dd8448eb211c80319c"

typedef struct fixture { sqlite3 *db; tlm_ext ext; tlm_graph *g; } fixture;

static int setup(void **state){
  fixture *f = calloc(1, sizeof *f);
  sqlite3_auto_extension((void (*)(void))sqlite3_tracelm_init);
  assert_int_equal(sqlite3_open(":memory:", &f->db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(f->db, "SELECT tracelm_init()", 0, 0, 0), SQLITE_OK);
  f->ext.db = f->db;
  *state = f;
  return 0;
}

static int teardown(void **state){
  fixture *f = *state;
  tlm_graph_release(f->g);
  tlm_graph_release(f->ext.cached);
  sqlite3_close(f->db);
  free(f);
  return 0;
}

/* One span; id and parent are small numbers written as 16 hex digits
** (parent 0: none); end < 0: unfinished. */
static void span(fixture *f, int id, int parent, const char *name, long long start, long long end){
  sqlite3_stmt *insert;
  assert_int_equal(sqlite3_prepare_v2(f->db, "INSERT INTO spans(trace_id, span_id, parent_id,"
      " name, start_ns, end_ns) VALUES(?1, printf('%016x', ?2),"
      " CASE WHEN ?3 THEN printf('%016x', ?3) END, ?4, ?5, ?6)", -1, &insert, 0), SQLITE_OK);
  sqlite3_bind_text(insert, 1, TRACE, -1, SQLITE_STATIC);
  sqlite3_bind_int(insert, 2, id);
  sqlite3_bind_int(insert, 3, parent);
  sqlite3_bind_text(insert, 4, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(insert, 5, start);
  if( end >= 0 ) sqlite3_bind_int64(insert, 6, end);
  assert_int_equal(sqlite3_step(insert), SQLITE_DONE);
  sqlite3_finalize(insert);
}

static tlm_graph *load(fixture *f){
  char *err = NULL;
  tlm_graph_release(f->g);
  f->g = NULL;
  assert_int_equal(tlm_graph_get_id(&f->ext, "test", TRACE, &f->g, &err), SQLITE_OK);
  assert_null(err);
  return f->g;
}

static int32_t node_named(const tlm_graph *g, const char *name){
  for(int32_t i = 0; i < g->n; i++){
    if( strcmp(tlm_str(g, g->nodes[i].name), name) == 0 ) return i;
  }
  fail_msg("no span named %s", name);
  return -1;
}

/* "name:depth name:depth ..." in depth-first order. */
static const char *order_of(const tlm_graph *g){
  static char text[4096];
  int used = 0;
  text[0] = 0;
  for(int32_t k = 0; k < g->n && used < (int)sizeof text; k++){
    int32_t i = g->order[k];
    used += snprintf(text + used, sizeof text - used, "%s%s:%d", k ? " " : "",
                     tlm_str(g, g->nodes[i].name), g->depth[i]);
  }
  return text;
}

static void children_by_start_longer_first_then_write_order(void **state){
  fixture *f = *state;
  span(f, 1, 0, "root", 0, 100);
  span(f, 2, 1, "late", 50, 60);
  span(f, 3, 1, "short", 10, 20);
  span(f, 4, 1, "long", 10, 50);       /* same start as short: longer first */
  span(f, 5, 1, "twin_a", 70, 80);     /* same start and end: write order */
  span(f, 6, 1, "twin_b", 70, 80);
  span(f, 7, 4, "inner", 12, 13);
  tlm_graph *g = load(f);
  assert_int_equal(g->n, 7);
  assert_int_equal(g->root, node_named(g, "root"));
  assert_string_equal(order_of(g), "root:0 long:1 inner:2 short:1 late:1 twin_a:1 twin_b:1");
  assert_int_equal(g->start_ns, 0);
  assert_int_equal(g->end_ns, 100);
}

/* Starts spread over 2^40 ns in a scrambled order: the radix sort takes
** four passes; every parent's children must come out in start order. */
static void radix_passes_sort_a_wide_range(void **state){
  fixture *f = *state;
  const int children = 3000;
  const long long range = 1LL << 40;
  sqlite3_exec(f->db, "BEGIN", 0, 0, 0);
  span(f, 1, 0, "root", 0, range + 10);
  for(int i = 0; i < children; i++){
    long long start = (long long)(((unsigned long long)(i + 1) * 2654435761u) % (unsigned long long)range);
    span(f, i + 2, i % 3 == 0 ? 1 : 2 + (i / 3) * 3, "child", start, start + 5);
  }
  sqlite3_exec(f->db, "COMMIT", 0, 0, 0);
  tlm_graph *g = load(f);
  assert_int_equal(g->n, children + 1);
  for(int32_t p = 0; p < g->n; p++){
    for(int32_t c = 1; c < g->child_count[p]; c++){
      const tlm_node *a = &g->nodes[g->children[g->child_start[p] + c - 1]];
      const tlm_node *b = &g->nodes[g->children[g->child_start[p] + c]];
      assert_true(a->start_ns <= b->start_ns);
    }
  }
  /* Depth-first: every span appears once, after its parent. */
  int32_t *position = calloc(children + 1, sizeof *position);
  for(int32_t k = 0; k < g->n; k++) position[g->order[k]] = k + 1;
  for(int32_t i = 0; i < g->n; i++){
    assert_true(position[i] > 0);
    if( g->nodes[i].parent >= 0 ) assert_true(position[g->nodes[i].parent] < position[i]);
  }
  free(position);
}

/* More than 16 children starting at the same instant take the sort's
** fallback: still longer first, then write order. */
static void a_long_run_of_equal_starts(void **state){
  fixture *f = *state;
  span(f, 1, 0, "root", 0, 1000);
  for(int i = 0; i < 40; i++){
    char name[16];
    snprintf(name, sizeof name, "c%02d", i);
    span(f, i + 2, 1, name, 5, 100 + (i % 4) * 10);   /* ends 100, 110, 120, 130 */
  }
  tlm_graph *g = load(f);
  const int32_t *kids = &g->children[g->child_start[g->root]];
  assert_int_equal(g->child_count[g->root], 40);
  for(int c = 0; c < 40; c++){
    const tlm_node *n = &g->nodes[kids[c]];
    /* Group by end, longest first; within a group, write order. */
    int group = c / 10, within = c % 10;
    char expected[16];
    snprintf(expected, sizeof expected, "c%02d", within * 4 + (3 - group));
    assert_int_equal(n->end_ns, 130 - group * 10);
    assert_string_equal(tlm_str(g, n->name), expected);
  }
}

static void loops_are_cut_and_every_span_kept(void **state){
  fixture *f = *state;
  span(f, 1, 0, "root", 0, 100);
  span(f, 2, 3, "a", 10, 20);     /* a -> b -> a */
  span(f, 3, 2, "b", 11, 19);
  span(f, 4, 4, "self", 30, 40);  /* its own parent */
  span(f, 5, 1, "fine", 50, 60);
  tlm_graph *g = load(f);
  assert_int_equal(g->n, 5);
  int32_t seen[5] = {0};
  for(int32_t k = 0; k < g->n; k++) seen[g->order[k]]++;
  for(int32_t i = 0; i < g->n; i++) assert_int_equal(seen[i], 1);
  assert_true(g->nodes[node_named(g, "self")].problems & TLM_PROBLEM_CYCLE);
  assert_int_equal(g->nodes[node_named(g, "self")].parent, -1);
  int cut = (g->nodes[node_named(g, "a")].problems & TLM_PROBLEM_CYCLE ? 1 : 0)
          + (g->nodes[node_named(g, "b")].problems & TLM_PROBLEM_CYCLE ? 1 : 0);
  assert_int_equal(cut, 1);     /* one cut breaks a two-span loop */
  assert_int_equal(g->nodes[node_named(g, "fine")].problems, 0);
  assert_int_equal(g->root, node_named(g, "root"));
}

static void problems_are_flagged(void **state){
  fixture *f = *state;
  span(f, 1, 0, "root", 0, 100);
  span(f, 2, 1, "open", 10, -1);          /* unfinished: ends at the last known time */
  span(f, 3, 99, "orphan", 20, 30);       /* parent 99 is not in the trace */
  span(f, 4, 0, "second_root", 40, 50);
  span(f, 5, 1, "backwards", 70, 60);     /* ends before it starts */
  tlm_graph *g = load(f);
  assert_int_equal(g->n, 5);
  assert_int_equal(g->root, node_named(g, "root"));
  const tlm_node *open = &g->nodes[node_named(g, "open")];
  assert_int_equal(open->problems, TLM_PROBLEM_UNFINISHED);
  assert_int_equal(open->end_ns, 100);
  assert_int_equal(g->nodes[node_named(g, "orphan")].problems, TLM_PROBLEM_ORPHAN);
  assert_int_equal(g->nodes[node_named(g, "second_root")].problems, TLM_PROBLEM_EXTRA_ROOT);
  const tlm_node *backwards = &g->nodes[node_named(g, "backwards")];
  assert_int_equal(backwards->problems, TLM_PROBLEM_NEGATIVE);
  assert_int_equal(tlm_duration(backwards), 0);
  assert_int_equal(g->nodes[node_named(g, "root")].problems, 0);
}

static void a_continuation_is_rooted_at_its_entry_span(void **state){
  fixture *f = *state;
  span(f, 1, 77, "entry", 0, 100);        /* parent lives in another process */
  span(f, 2, 1, "work", 10, 90);
  tlm_graph *g = load(f);
  assert_int_equal(g->root, node_named(g, "entry"));
  assert_int_equal(g->nodes[g->root].problems, 0);
  assert_string_equal(order_of(g), "entry:0 work:1");
}

/* Self time subtracts the union of the children, clipped to the parent. */
static void self_time_counts_overlap_once(void **state){
  fixture *f = *state;
  span(f, 1, 0, "root", 0, 100);
  span(f, 2, 1, "a", 10, 40);
  span(f, 3, 1, "b", 20, 50);             /* overlaps a: union 10..50 */
  span(f, 4, 1, "c", 90, 130);            /* outlives root: clipped to 90..100 */
  span(f, 5, 2, "a1", 15, 25);
  tlm_graph *g = load(f);
  int64_t *self = tlm_graph_self_ns(g);
  assert_non_null(self);
  assert_int_equal(self[node_named(g, "root")], 100 - 40 - 10);
  assert_int_equal(self[node_named(g, "a")], 30 - 10);
  assert_int_equal(self[node_named(g, "b")], 30);
  assert_int_equal(self[node_named(g, "c")], 40);
  sqlite3_free(self);
}

static void the_cache_serves_until_the_table_changes(void **state){
  fixture *f = *state;
  span(f, 1, 0, "root", 0, 100);
  tlm_graph *first = load(f);
  first->refs++;                  /* keep it to compare */
  assert_ptr_equal(load(f), first);
  span(f, 2, 1, "late", 10, 20);
  tlm_graph *second = load(f);
  assert_ptr_not_equal(second, first);
  assert_int_equal(second->n, 2);
  tlm_graph_release(first);
}

int main(void){
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(children_by_start_longer_first_then_write_order, setup, teardown),
    cmocka_unit_test_setup_teardown(radix_passes_sort_a_wide_range, setup, teardown),
    cmocka_unit_test_setup_teardown(a_long_run_of_equal_starts, setup, teardown),
    cmocka_unit_test_setup_teardown(loops_are_cut_and_every_span_kept, setup, teardown),
    cmocka_unit_test_setup_teardown(problems_are_flagged, setup, teardown),
    cmocka_unit_test_setup_teardown(a_continuation_is_rooted_at_its_entry_span, setup, teardown),
    cmocka_unit_test_setup_teardown(self_time_counts_overlap_once, setup, teardown),
    cmocka_unit_test_setup_teardown(the_cache_serves_until_the_table_changes, setup, teardown),
  };
  tlm_test_filter_from_env();
  return cmocka_run_group_tests(tests, NULL, NULL);
}
