// The New API Token page and its POST: showNewTokenPage, createToken. The created token is shown
// in the POST's own response (never behind a GET), and a one-time nonce in the form makes a
// reload of that response, which re-submits the form, refuse instead of minting a second token.
import type { Request, Response } from "express";
import { randomSecret } from "../auth/sessions.js";
import { createApiToken, revokeApiToken, tokenState } from "../auth/token-service.js";
import type { AppContext } from "../context.js";
import type { ApiToken } from "../db/tokens.js";
import { isoSeconds } from "../time.js";
import { currentSession, currentUser } from "./locals.js";
import { renderPage } from "./render.js";
import { blankTokenForm, checkTokenForm, EXPIRY_CHOICES, expiryLine, formFromToken, minimumExpiryDay, patternRows, readTokenForm, SCOPE_CHOICES, type TokenForm, type TokenFormErrors } from "./token-form.js";
import { tokenListItem } from "./token-list.js";
import { findOwnToken } from "./tokens.js";

const NONCE_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** Renders the form with a fresh nonce (each rendering of the form may create one token). */
async function renderNewTokenPage(ctx: AppContext, res: Response, form: TokenForm, fromToken?: ApiToken, errors?: TokenFormErrors): Promise<void> {
  const now = ctx.now();
  const nonce = randomSecret();
  ctx.db.sessions.deleteNoncesBefore(isoSeconds(new Date(now.getTime() - NONCE_LIFETIME_MS)));
  ctx.db.sessions.issueNonce(nonce, currentSession(res).idHash, isoSeconds(now));
  await renderPage(res, "tokens/new", {
    title: fromToken ? "Regenerate API token" : "New API token",
    form: { ...form, nonce },
    errors: errors ?? { patterns: [] },
    fromToken,
    fromActive: fromToken !== undefined && tokenState(fromToken, now) === "active",
    expiryChoices: EXPIRY_CHOICES,
    scopeChoices: SCOPE_CHOICES,
    rows: patternRows(form, errors),
    expiryLine: expiryLine(form, now),
    minDay: minimumExpiryDay(now),
  });
}

/** GET /settings/tokens/new[?from=ID]: an empty form, or one pre-filled from the user's token ID. */
export async function showNewTokenPage(ctx: AppContext, req: Request, res: Response): Promise<void> {
  if (req.query.from === undefined) return renderNewTokenPage(ctx, res, blankTokenForm());
  const fromToken = findOwnToken(ctx, currentUser(res), req.query.from);
  await renderNewTokenPage(ctx, res, formFromToken(fromToken, tokenState(fromToken, ctx.now()) === "active"), fromToken);
}

export async function createToken(ctx: AppContext, req: Request, res: Response): Promise<void> {
  const user = currentUser(res);
  const session = currentSession(res);
  const form = readTokenForm(req);
  const fromToken = form.from === undefined ? undefined : findOwnToken(ctx, user, String(form.from));
  const now = ctx.now();
  const { errors, valid } = checkTokenForm(form, now);
  if (!valid) {
    res.status(422);
    return renderNewTokenPage(ctx, res, form, fromToken, errors);
  }
  const outcome = ctx.db.transaction(() => {
    const nonce = ctx.db.sessions.findNonce(form.nonce, session.idHash);
    if (!nonce) return { kind: "stale" as const };
    if (nonce.tokenId !== null) return { kind: "repeat" as const, tokenId: nonce.tokenId };
    const created = createApiToken(ctx, user.id, valid);
    ctx.db.sessions.useNonce(form.nonce, created.token.id);
    const revokeOld = fromToken !== undefined && form.revokeOld && tokenState(fromToken, now) === "active";
    return { kind: "created" as const, ...created, revokedOld: revokeOld && revokeApiToken(ctx, fromToken, user.id) ? fromToken : undefined };
  });
  if (outcome.kind === "stale") {
    res.status(422);
    const stale = "This form had expired, so no token was created. Check the values below and submit the form again.";
    return renderNewTokenPage(ctx, res, form, fromToken, { ...errors, form: stale });
  }
  if (outcome.kind === "repeat") {
    res.status(409);
    return renderPage(res, "tokens/resubmitted", { title: "Token already created", token: ctx.db.tokens.findById(outcome.tokenId) });
  }
  await renderPage(res, "tokens/created", {
    title: "API token created",
    item: tokenListItem(outcome.token, now),
    plaintext: outcome.plaintext,
    revokedOld: outcome.revokedOld,
    envVar: `CARGO_REGISTRIES_${ctx.config.registryName.toUpperCase().replaceAll("-", "_")}_TOKEN`,
  });
}
