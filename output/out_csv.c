#include "out_csv.h"

#include <string.h>

#include "sanitize.h"

void out_csv_cell(lz_buf *out, const char *s) {
    lz_buf clean = {0};
    out_sanitize_str(&clean, s ? s : "", 0, OUT_SAN_KEEP_NL);
    const char *c = lz_buf_cstr(&clean);
    bool formula = c[0] && strchr("=+-@\t\r", c[0]);
    bool quote = formula || strpbrk(c, ",\"\r\n") != NULL;
    if (quote) lz_buf_putc(out, '"');
    if (formula) lz_buf_putc(out, '\'');
    for (; *c; c++) {
        if (*c == '"') lz_buf_putc(out, '"');
        lz_buf_putc(out, *c);
    }
    if (quote) lz_buf_putc(out, '"');
    lz_buf_free(&clean);
}
