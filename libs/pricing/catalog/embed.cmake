# Turns a file into a C++ source holding its bytes (cmake -DINPUT=... -DOUTPUT=... -P embed.cmake),
# so the binary carries the price catalog and needs no data file at run time.
file(READ "${INPUT}" hex HEX)
file(SIZE "${INPUT}" size)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# Line breaks every 32 bytes keep the generated file readable by compilers and editors alike.
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){32})" "\\1\n" bytes "${bytes}")
file(
    WRITE "${OUTPUT}"
    "// Generated from ${INPUT} by embed.cmake; do not edit.\n"
    "#include <cstddef>\n"
    "namespace cpamd::pricing::detail {\n"
    "extern const unsigned char price_catalog_bytes[];\n"
    "extern const std::size_t price_catalog_size;\n"
    "const unsigned char price_catalog_bytes[] = {\n${bytes}\n0x00};\n"
    "const std::size_t price_catalog_size = ${size};\n"
    "}\n"
)
