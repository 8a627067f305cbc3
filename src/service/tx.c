/* service/tx.c - beginning and ending a use case's transaction. */
#include "service/tx.h"

#include "db/db.h"

int tx_begin(struct db *db, struct pd_error *err)
{
    int rc = db_begin(db);
    if (rc < 0)
        return pd_fail(err, rc, "%s", db_errmsg(db));
    return 0;
}

int tx_end(struct db *db, int rc, struct pd_error *err)
{
    if (rc >= 0 && (rc = db_commit(db)) >= 0)
        return 0;
    db_rollback(db);
    if (err->code == PD_OK)
        pd_fail(err, rc, "%s", db_errmsg(db));
    return err->code;
}

int tx_end_answer(struct db *db, int rc, json_t **out, struct pd_error *err)
{
    if ((rc = tx_end(db, rc, err)) < 0 && *out) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}
