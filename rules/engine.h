/*
 * engine.h - evaluates a rule pack over an inventory.
 *
 * Results are tri-state plus: pass, fail, unknown (data needed was not
 * collected, a fact could not be inferred, a referenced resource is not in
 * the input), notApplicable (excluded by `unless`). Unknown is never pass.
 * Every fail carries evidence. The engine never talks HTTP and never prints.
 */
#ifndef ENGINE_H
#define ENGINE_H

#include "../common/lz.h"
#include "../scanner/inventory.h"
#include "../scanner/profile.h"
#include "../scanner/topology.h"
#include "report.h"
#include "rule.h"

/* Checks that every {param: X} a rule uses is declared by the pack and that
 * every profile parameter is one the pack declares. */
int engine_check_params(const rule_pack *p, const profile *prof, lz_err *e);

/* Evaluates every rule of p; fills r (report_init'ed by the caller). Rules
 * run on one thread per CPU (the caller's among them) and only read v, t
 * and prof meanwhile; r is the same whatever the number of threads. */
int engine_run(const rule_pack *p, inv *v, const topo *t, const profile *prof, report *r, lz_err *e);

#endif
