# Turns a text file into a C header holding it as one string constant, so
# that sql/ stays the single source and C code never carries a copy.
# Usage: cmake -DINPUT=f.sql -DOUTPUT=f.h -DSYMBOL=name -P embed_text.cmake
file(READ "${INPUT}" text)
string(REPLACE "\\" "\\\\" text "${text}")
string(REPLACE "\"" "\\\"" text "${text}")
string(REPLACE "\n" "\\n\"\n  \"" text "${text}")
file(WRITE "${OUTPUT}.tmp"
  "/* Generated from ${INPUT} by cmake/embed_text.cmake; do not edit. */\n"
  "static const char ${SYMBOL}[] =\n  \"${text}\";\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
