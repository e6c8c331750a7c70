/**
 * How an issue enters the loop: an enterprise's appeal, or a report by a unit, an observer or the
 * command office. Idempotent on the reporter's client request id.
 */
import { Role, requireSignedIn } from '../shared/auth.ts';
import { errors } from '../shared/errors.ts';
import { creditCodeProblem, creditCodeProblemMessages, normalizeCreditCode } from '../shared/credit-code.ts';
import { APPEAL_LIMITS } from './deadlines.ts';
import { CLIENT_REQUEST_ID, CLOCK_SKEW_MS, fingerprint, optionalText, text, UNIT_SOURCES, type ReportIssueInput, type SubmitAppealInput } from './input.ts';
import type { IssuesSession } from './session.ts';
import { isAppealLike } from './state-machine.ts';
import { deadlineStore, eventStore, issueStore, type IssueRow, type NewIssue } from './store.ts';

export function createSubmissions(session: IssuesSession) {
  const { db, viewer, clock, calendarFrom, deadlineRow, requireDistrict, requireActiveUnit, activeViewerUnit, actorFields } = session;

  async function submit(row: Omit<NewIssue, 'reporterSubject' | 'reporterRole' | 'reporterUnitId' | 'reporterEnterprise' | 'requestFingerprint' | 'recordedAt'>): Promise<IssueRow> {
    const print = fingerprint({ ...row, clientRequestId: undefined, receivedAt: row.receivedAt?.toISOString() });
    const now = clock();
    const sameRequest = (existing: IssueRow): IssueRow => {
      if (existing.requestFingerprint !== print) {
        throw errors.conflict(
          { zh: `请求号 ${row.clientRequestId} 已用于另一项内容不同的提交`, en: `clientRequestId ${row.clientRequestId} was already used for a different submission` },
          { existingId: existing.id },
        );
      }
      return existing;
    };
    return db.transaction(async (tx) => {
      const earlier = await issueStore.byClientRequest(tx, viewer.subject!, row.clientRequestId);
      if (earlier) return sameRequest(earlier);
      const created = await issueStore.insertOnce(tx, {
        ...row,
        reporterSubject: viewer.subject!,
        reporterRole: viewer.role,
        reporterUnitId: viewer.role === Role.ENTERPRISE || viewer.role === Role.OBSERVER ? null : viewer.unitId,
        reporterEnterprise: viewer.role === Role.ENTERPRISE ? viewer.enterprise : null,
        requestFingerprint: print,
        recordedAt: now,
      });
      // The same request, committed by a concurrent retry while we waited on its unique key.
      if (!created) return sameRequest((await issueStore.byClientRequest(tx, viewer.subject!, row.clientRequestId))!);
      if (isAppealLike(created.source)) {
        const calendar = await calendarFrom(tx);
        const startsAt = created.receivedAt;
        await deadlineStore.insert(tx, [
          deadlineRow(created.id, 'CONTACT', { startsAt, hours: APPEAL_LIMITS.contactHours }, calendar),
          deadlineRow(created.id, 'FEEDBACK', { startsAt, workingDays: APPEAL_LIMITS.feedbackWorkingDays }, calendar),
          deadlineRow(created.id, 'RESOLUTION', { startsAt, workingDays: APPEAL_LIMITS.resolutionWorkingDays }, calendar),
        ]);
      }
      await eventStore.append(tx, { issueId: created.id, action: 'SUBMIT', fromStatus: null, toStatus: created.status, ...actorFields(), note: null, details: { source: created.source }, at: now });
      await issueStore.refreshNextDue(tx, [created.id]);
      return (await issueStore.get(tx, created.id))!;
    });
  }

  return {
    async submitAppeal(input: SubmitAppealInput) {
      requireSignedIn(viewer);
      if (viewer.role !== Role.ENTERPRISE) {
        throw errors.forbidden({ zh: '只有企业可以提交诉求；其他渠道请用 reportIssue', en: 'Only an enterprise submits appeals; other channels use reportIssue' });
      }
      if (!CLIENT_REQUEST_ID.test(input.clientRequestId)) {
        throw errors.badInput('clientRequestId', { zh: 'clientRequestId 须为 1–100 位字母、数字或 _.:-', en: 'clientRequestId must be 1–100 letters, digits or _.:-' });
      }
      return submit({
        clientRequestId: input.clientRequestId,
        source: 'ENTERPRISE_APPEAL',
        environment: input.environment,
        appealKind: input.kind,
        title: text('title', input.title, { zh: '标题', en: 'Title' }, 200),
        description: text('description', input.description, { zh: '诉求内容', en: 'Description' }, 5000),
        enterpriseCreditCode: viewer.enterprise,
        districtCode: await requireDistrict(input.districtCode),
        receivedAt: clock(),
      });
    },

    async reportIssue(input: ReportIssueInput) {
      requireSignedIn(viewer);
      let proposedUnitId: string | null = null;
      switch (viewer.role) {
        case Role.COMMAND_OFFICE:
          await activeViewerUnit();
          proposedUnitId = input.unitId ? await requireActiveUnit('unitId', input.unitId) : null;
          break;
        case Role.UNIT_ADMIN:
        case Role.UNIT_STAFF: {
          const own = await activeViewerUnit();
          if (!UNIT_SOURCES.includes(input.source)) {
            throw errors.forbidden({ zh: `单位不能以“${input.source}”渠道报告问题，请经市指挥部办公室`, en: `Units cannot report through ${input.source}; that channel goes through the command office` });
          }
          if (input.unitId && input.unitId.toLowerCase() !== own) {
            throw errors.forbidden({ zh: '单位只能报告本单位的问题', en: "A unit reports problems of its own unit only" });
          }
          proposedUnitId = own;
          break;
        }
        case Role.OBSERVER:
          if (input.source !== 'UNDERCOVER_VISIT') {
            throw errors.forbidden({ zh: '观察员只能报告明察暗访发现的问题', en: 'Observers report undercover findings (UNDERCOVER_VISIT) only' });
          }
          proposedUnitId = input.unitId ? await requireActiveUnit('unitId', input.unitId) : null;
          break;
        default:
          throw errors.forbidden({ zh: '企业请用 submitAppeal 提交诉求', en: 'Enterprises submit appeals with submitAppeal' });
      }
      if (input.receivedAt && viewer.role !== Role.COMMAND_OFFICE) {
        throw errors.forbidden({ zh: '只有市指挥部办公室可以指定收到时间（导入其他平台记录）', en: 'Only the command office may give receivedAt, for imported records' });
      }
      const now = clock();
      if (input.receivedAt && input.receivedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
        throw errors.badInput('receivedAt', { zh: '收到时间不能晚于现在', en: 'receivedAt cannot be in the future' });
      }
      if (!CLIENT_REQUEST_ID.test(input.clientRequestId)) {
        throw errors.badInput('clientRequestId', { zh: 'clientRequestId 须为 1–100 位字母、数字或 _.:-', en: 'clientRequestId must be 1–100 letters, digits or _.:-' });
      }
      let enterpriseCreditCode: string | null = null;
      if (input.enterpriseCreditCode) {
        enterpriseCreditCode = normalizeCreditCode(input.enterpriseCreditCode);
        const problem = creditCodeProblem(enterpriseCreditCode);
        if (problem) throw errors.badInput('enterpriseCreditCode', creditCodeProblemMessages[problem]);
      }
      return submit({
        clientRequestId: input.clientRequestId,
        source: input.source,
        environment: input.environment,
        appealKind: input.appealKind ?? null,
        title: text('title', input.title, { zh: '标题', en: 'Title' }, 200),
        description: text('description', input.description, { zh: '问题描述', en: 'Description' }, 5000),
        enterpriseCreditCode,
        districtCode: await requireDistrict(input.districtCode),
        proposedUnitId,
        responsibleLeader: optionalText('responsibleLeader', input.responsibleLeader, { zh: '包保领导', en: 'Responsible leader' }, 100),
        receivedAt: input.receivedAt ?? now,
      });
    },
  };
}
