/*
 * render/pain001.c - the pain.001.001.03 document, written element by element in the
 * schema's order. NbOfTxs and CtrlSum are given in both the group header and the payment
 * information block, as French banks ask; amounts are major units with two decimals.
 */
#include "render/pain001.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xml_escape.h"

/* <tag>text</tag> at an indent. */
static void element(struct buf *b, int indent, const char *tag, const char *text)
{
    buf_printf(b, "%*s<%s>", indent, "", tag);
    xml_escape(b, text, XML_ESCAPE_QUOT | XML_ESCAPE_APOS);
    buf_printf(b, "</%s>\n", tag);
}

static void amount(char *out, size_t n, int64_t minor)
{
    snprintf(out, n, "%lld.%02lld", (long long)(minor / 100), (long long)(minor % 100));
}

char *pain001_render(const struct pain001 *f, int64_t *control_sum)
{
    struct buf b = {0};
    char sum[32], count[16], amt[32];
    int64_t total = 0;
    for (int i = 0; i < f->count; i++)
        if (f->payments[i].amount <= 0 ||
            __builtin_add_overflow(total, f->payments[i].amount, &total))
            return NULL;
    *control_sum = total;
    amount(sum, sizeof(sum), total);
    snprintf(count, sizeof(count), "%d", f->count);

    buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03\" "
                 "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
                 "  <CstmrCdtTrfInitn>\n    <GrpHdr>\n");
    element(&b, 6, "MsgId", f->msg_id);
    element(&b, 6, "CreDtTm", f->created_at);
    element(&b, 6, "NbOfTxs", count);
    element(&b, 6, "CtrlSum", sum);
    buf_puts(&b, "      <InitgPty>\n");
    element(&b, 8, "Nm", f->debtor_name);
    buf_puts(&b, "      </InitgPty>\n    </GrpHdr>\n    <PmtInf>\n");
    element(&b, 6, "PmtInfId", f->msg_id);
    element(&b, 6, "PmtMtd", "TRF");
    element(&b, 6, "NbOfTxs", count);
    element(&b, 6, "CtrlSum", sum);
    buf_puts(&b, "      <PmtTpInf>\n        <SvcLvl>\n");
    element(&b, 10, "Cd", "SEPA");
    buf_puts(&b, "        </SvcLvl>\n      </PmtTpInf>\n");
    element(&b, 6, "ReqdExctnDt", f->execution_date);
    buf_puts(&b, "      <Dbtr>\n");
    element(&b, 8, "Nm", f->debtor_name);
    buf_puts(&b, "      </Dbtr>\n      <DbtrAcct>\n        <Id>\n");
    element(&b, 10, "IBAN", f->debtor_iban);
    buf_puts(&b, "        </Id>\n      </DbtrAcct>\n      <DbtrAgt>\n        <FinInstnId>\n");
    if (f->debtor_bic && f->debtor_bic[0]) {
        element(&b, 10, "BIC", f->debtor_bic);
    } else {
        buf_puts(&b, "          <Othr>\n");
        element(&b, 12, "Id", "NOTPROVIDED");
        buf_puts(&b, "          </Othr>\n");
    }
    buf_puts(&b, "        </FinInstnId>\n      </DbtrAgt>\n");
    element(&b, 6, "ChrgBr", "SLEV");
    for (int i = 0; i < f->count; i++) {
        const struct pain001_payment *p = &f->payments[i];
        amount(amt, sizeof(amt), p->amount);
        buf_puts(&b, "      <CdtTrfTxInf>\n        <PmtId>\n");
        element(&b, 10, "EndToEndId", p->end_to_end_id);
        buf_puts(&b, "        </PmtId>\n        <Amt>\n          <InstdAmt Ccy=\"EUR\">");
        buf_printf(&b, "%s</InstdAmt>\n        </Amt>\n        <Cdtr>\n", amt);
        element(&b, 10, "Nm", p->name);
        buf_puts(&b, "        </Cdtr>\n        <CdtrAcct>\n          <Id>\n");
        element(&b, 12, "IBAN", p->iban);
        buf_puts(&b, "          </Id>\n        </CdtrAcct>\n        <RmtInf>\n");
        element(&b, 10, "Ustrd", p->remittance);
        buf_puts(&b, "        </RmtInf>\n      </CdtTrfTxInf>\n");
    }
    buf_puts(&b, "    </PmtInf>\n  </CstmrCdtTrfInitn>\n</Document>\n");
    return b.data; /* the buf's storage, NUL-terminated */
}
