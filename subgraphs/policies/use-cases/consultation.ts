/**
 * 公开征求意见: comments on a policy in consultation, and the issuing unit's answers. A comment is
 * added to the policy as it stands in the transaction (the kit's `changeRow` on the policy, which
 * itself stays as it is); an answer changes the comment, locked. Both append to the policy's history.
 */
import { changeRow } from '../../../platform/change.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { personOf } from '../../../platform/auth.ts';
import type { PoliciesContext } from '../context.ts';
import * as input from '../input.ts';
import { actorOf, commentRow, policyRow, recordPolicyEvent, subjectOf } from '../rows.ts';
import type { MutationAnswerPolicyCommentArgs, MutationCommentOnPolicyArgs } from '../schema-types.ts';
import { commentStore, type CommentRow } from '../store.ts';

/** `commentOnPolicy`: an enterprise, a unit's member or an observer comments while the consultation runs. */
export async function commentOnPolicy(ctx: PoliciesContext, { policyId, text }: MutationCommentOnPolicyArgs): Promise<CommentRow> {
  ctx.access.assertSignedIn();
  parseInput(input.policyId, policyId, 'policyId');
  const body = parseInput(input.texts.comment, text, 'text');
  const author = await ctx.access.commentAuthor();
  return changeRow(ctx.db, policyRow(ctx), {
    key: policyId,
    async authorize(policy) {
      await ctx.access.assertPolicy('COMMENT', policy, ctx.today());
      if (policy.consultationEndsOn && policy.consultationEndsOn < ctx.today()) {
        throw errors.invalidTransition(
          { zh: `征求意见已于 ${policy.consultationEndsOn} 截止`, en: `The consultation closed on ${policy.consultationEndsOn}` },
          policy.status,
        );
      }
    },
    write: (tx, policy) =>
      commentStore.insert(tx, {
        policyId: policy.id,
        body,
        authorSubject: subjectOf(ctx.viewer),
        authorRole: ctx.viewer.role,
        authorIssuer: present(personOf(ctx.viewer), 'the person of a signed-in caller').issuer,
        authorUnitId: author.unitId,
        authorEnterprise: author.enterprise,
        createdAt: ctx.now(),
      }),
    record: (tx, policy, comment) =>
      recordPolicyEvent(tx, policy.id, {
        action: 'COMMENT',
        fromStatus: policy.status,
        toStatus: policy.status,
        ...actorOf(ctx.viewer),
        note: null,
        details: { commentId: comment.id },
        at: comment.createdAt,
      }),
  });
}

/** `answerPolicyComment`: the issuing unit answers a comment once, saying whether it was adopted. */
export async function answerPolicyComment(
  ctx: PoliciesContext,
  { commentId, answer: rawAnswer, adopted }: MutationAnswerPolicyCommentArgs,
): Promise<CommentRow> {
  ctx.access.assertSignedIn();
  parseInput(input.commentId, commentId, 'commentId');
  const answer = parseInput(input.texts.answer, rawAnswer, 'answer');
  await ctx.access.draftsOf();
  return changeRow(ctx.db, commentRow(ctx), {
    key: commentId,
    async authorize({ comment, policy }) {
      await ctx.access.assertPolicy('ANSWER_COMMENT', policy, ctx.today());
      if (comment.answer !== null)
        throw errors.invalidTransition({ zh: '该意见已答复', en: 'The comment has already been answered' }, policy.status);
    },
    write: (tx, { comment }) =>
      commentStore.answer(tx, comment.id, { answer, adopted, answeredAt: ctx.now(), answeredBy: subjectOf(ctx.viewer) }),
    record: (tx, { comment, policy }, answered) =>
      recordPolicyEvent(tx, policy.id, {
        action: 'ANSWER_COMMENT',
        fromStatus: policy.status,
        toStatus: policy.status,
        ...actorOf(ctx.viewer),
        note: answer,
        details: { commentId: comment.id, adopted },
        at: present(answered.answeredAt, 'the time of the answer just written'),
      }),
  });
}
