/*
** number.c — the one way TraceLM writes a number as text: integers digit
** by digit, doubles as the shortest decimal that reads back as the very
** same double (0.0021, not 0.0020999999999999999; 0.21000000000000002
** stays so).  Exports, the recorder's attribute JSON and import_otel all
** write numbers through here, so a value prints the same wherever it goes
** and survives every round trip bit for bit.
*/
#include "number.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The decimal digits of v, right-aligned at end; returns where they start.
** Two digits a division: an export writes several integers a span. */
char *tlm_decimal_digits(uint64_t v, char *end){
  static const char pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";
  while( v >= 100 ){
    end -= 2;
    memcpy(end, pairs + (v % 100) * 2, 2);
    v /= 100;
  }
  if( v >= 10 ){
    end -= 2;
    memcpy(end, pairs + v * 2, 2);
  }else{
    *--end = (char)('0' + v);
  }
  return end;
}

/* n significant digits, the first at 10^x, as "%g" writes them: fixed
** notation, or 1.5e-05 below 1e-4; trailing zeros of a fraction dropped.
** x is below 15 here, so the integer part never runs past the digits. */
static int write_general(int negative, const char *digits, int n, int x, char out[40]){
  int length = 0, count = n;
  while( count > x + 1 && count > 1 && digits[count - 1] == '0' ) count--;
  if( negative ) out[length++] = '-';
  if( x < -4 ){
    out[length++] = digits[0];
    if( count > 1 ){
      out[length++] = '.';
      memcpy(out + length, digits + 1, count - 1);
      length += count - 1;
    }
    memcpy(out + length, "e-", 2);
    out[length + 2] = (char)('0' + (-x) / 10);
    out[length + 3] = (char)('0' + (-x) % 10);
    return length + 4;
  }
  if( x < 0 ){
    out[length++] = '0';
    out[length++] = '.';
    for(int z = -1; z > x; z--) out[length++] = '0';
    memcpy(out + length, digits, count);
    return length + count;
  }
  memcpy(out + length, digits, x + 1);
  length += x + 1;
  if( count > x + 1 ){
    out[length++] = '.';
    memcpy(out + length, digits + x + 1, count - x - 1);
    length += count - x - 1;
  }
  return length;
}

/* value as m / 10^places, m below 10^15, when such a decimal reads back
** as value: that division is exact in m and 10^places and correctly
** rounded, so it is the very double strtod() would make of the text, and
** the first places that works is the shortest such text.  At 15 digits
** or fewer no two doubles share a decimal, so this is the text "%.15g"
** writes, in the same notation: fixed, or 1.5e-05 below 1e-4.  Returns
** the length written, 0 when it does not apply (printf's job).  No
** printf, no strtod: they cost on every span (docs/performance.md). */
static int format_decimal(double value, char out[40]){
  static const double ten[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
    1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };  /* all exact */
  const int most = (int)(sizeof ten / sizeof ten[0]);
  double magnitude = value < 0 ? -value : value;
  char digits[24], *first, *end = digits + sizeof digits;
  int places;
  uint64_t m = 0;
  if( !(magnitude >= 1e-7 && magnitude < 1e15) ) return 0;
  for(places = 0; places < most; places++){
    double scaled = magnitude * ten[places];
    if( scaled >= 1e15 ) return 0;           /* 16 digits and more */
    m = (uint64_t)(scaled + 0.5);
    if( (double)m / ten[places] == magnitude ) break;
  }
  if( places == most ) return 0;
  first = tlm_decimal_digits(m, end);
  return write_general(value < 0, first, (int)(end - first), (int)(end - first) - 1 - places, out);
}

#if defined(__SIZEOF_INT128__)
/* 16 and 17 digits, exactly, in 128-bit integers.  A double in
** [1e-7, 1e15) is m / 2^s with m below 2^53 and s at most 77; its
** p-digit decimal d / 10^q, q = p - 1 - exponent, is m * 5^q / 2^(s-q)
** rounded half to even, which is what printf does, and it reads back as
** the same double when it lies within half an ulp:
**   |d * 2^(s+1-q) - 2 * m * 5^q|  <  5^q    (half of that below a power
** of two, where the gap under the value is half as wide; a tie goes to
** the even m, as strtod rounds).  Both sides stay under 2^112.  */
typedef unsigned __int128 u128;

static const uint64_t five[] = { 1ull, 5ull, 25ull, 125ull, 625ull, 3125ull, 15625ull,
  78125ull, 390625ull, 1953125ull, 9765625ull, 48828125ull, 244140625ull, 1220703125ull,
  6103515625ull, 30517578125ull, 152587890625ull, 762939453125ull, 3814697265625ull,
  19073486328125ull, 95367431640625ull, 476837158203125ull, 2384185791015625ull,
  11920928955078125ull, 59604644775390625ull, 298023223876953125ull };
static const uint64_t ten_to[] = { 1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull,
  1000000ull, 10000000ull, 100000000ull, 1000000000ull, 10000000000ull, 100000000000ull,
  1000000000000ull, 10000000000000ull, 100000000000000ull, 1000000000000000ull,
  10000000000000000ull, 100000000000000000ull };

/* m * 5^q / 2^(s-q), rounded down, or half to even. */
static uint64_t scaled_decimal(uint64_t m, int q, int s, int rounded){
  u128 t = (u128)m * five[q];
  int shift = s - q;
  if( shift <= 0 ) return (uint64_t)(t << -shift);
  u128 r = t >> shift, rest = t & (((u128)1 << shift) - 1), half = (u128)1 << (shift - 1);
  if( rounded && (rest > half || (rest == half && (r & 1))) ) r++;
  return (uint64_t)r;
}

static int reads_back(uint64_t m, int s, uint64_t d, int q){
  u128 a = (u128)d << (s + 1 - q), b = (u128)2 * m * five[q], bound = five[q];
  u128 distance = a > b ? a - b : b - a;
  if( a < b && m == (uint64_t)1 << 52 ) distance *= 2;   /* below a power of two */
  return distance < bound || (distance == bound && (m & 1) == 0);
}

/* The shortest of 16 or 17 digits that reads back; 0 outside the range
** where the integers above are exact. */
static int format_exact(double value, char out[40]){
  double magnitude = value < 0 ? -value : value;
  int e2, x;
  if( !(magnitude >= 1e-7 && magnitude < 1e15) ) return 0;   /* format_decimal's range */
  uint64_t m = (uint64_t)ldexp(frexp(magnitude, &e2), 53);
  int s = 53 - e2;
  x = (int)floor(log10(magnitude));
  for(int p = 16; p <= 17; p++){
    uint64_t d;
    /* The exponent from the value itself, truncated (log10 may be off by
    ** one near a power of ten), then the rounded digits. */
    for(int tries = 0;; tries++){
      int q = p - 1 - x;
      if( tries > 3 || q < 0 || q > 25 || s + 1 - q < 0 || s + 1 - q > 70 ) return 0;
      d = scaled_decimal(m, q, s, 0);
      if( d >= ten_to[p] ) x++;
      else if( d < ten_to[p - 1] ) x--;
      else break;
    }
    /* Rounding cannot carry to 10^p: no double lies within half a unit
    ** of the 16th digit below a power of ten (they are 2^-53 apart,
    ** relatively, at the closest).  Should it, printf decides. */
    d = scaled_decimal(m, p - 1 - x, s, 1);
    if( d >= ten_to[p] ) return 0;
    if( p == 17 || reads_back(m, s, d, p - 1 - x) ){
      char digits[17];
      for(int i = p - 1; i >= 0; i--){ digits[i] = (char)('0' + d % 10); d /= 10; }
      return write_general(value < 0, digits, p, x, out);
    }
  }
  return 0;
}
#else
static int format_exact(double value, char out[40]){ (void)value; (void)out; return 0; }
#endif

int tlm_format_double(double value, char out[TLM_DOUBLE_TEXT]){
  int length;
  if( value != value || value - value != 0 ) return 0;
  if( value == 0 ){
    if( signbit(value) ){ memcpy(out, "-0", 3); return 2; }
    out[0] = '0';
    out[1] = 0;
    return 1;
  }
  if( (length = format_decimal(value, out)) > 0 || (length = format_exact(value, out)) > 0 ){
    out[length] = 0;
    return length;
  }
  for(int precision = 15; precision <= 17; precision++){
    snprintf(out, TLM_DOUBLE_TEXT, "%.*g", precision, value);
    if( strtod(out, NULL) == value ) break;
  }
  return (int)strlen(out);
}

int tlm_format_int64(int64_t value, char out[TLM_INT64_TEXT]){
  char digits[24], *at;
  uint64_t magnitude = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
  int length;
  at = tlm_decimal_digits(magnitude, digits + sizeof digits);
  if( value < 0 ) *--at = '-';
  length = (int)(digits + sizeof digits - at);
  memcpy(out, at, (size_t)length);
  out[length] = 0;
  return length;
}

int tlm_format_json_double(double value, char out[TLM_DOUBLE_TEXT]){
  int length = tlm_format_double(value, out);
  if( length > 0 && strcspn(out, ".e") == (size_t)length ){
    memcpy(out + length, ".0", 3);
    length += 2;
  }
  return length;
}
