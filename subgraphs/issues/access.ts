/**
 * Who sees which issues, decided from the verified token and the unit directory — never from
 * anything the caller sends:
 * - the command office sees all;
 * - unit staff and admins see the issues their unit is responsible for or reported;
 *   a lead unit also sees every issue of its domain's units;
 * - an enterprise sees the appeals it submitted;
 * - an observer sees the reports it made;
 * - anonymous callers see no issue (only published, anonymised cases).
 */
import { Role, type Viewer } from '../shared/auth.ts';
import type { DirectorySource } from '../shared/directory.ts';
import type { IssueRow } from './store.ts';
import type { Standing } from './state-machine.ts';

export type IssueScope =
  | { kind: 'all' }
  | { kind: 'unit'; ownUnitId: string; unitIds: string[] }
  | { kind: 'enterprise'; creditCode: string }
  | { kind: 'observer'; subject: string }
  | { kind: 'none' };

export async function scopeOf(viewer: Viewer, directory: DirectorySource): Promise<IssueScope> {
  switch (viewer.role) {
    case Role.COMMAND_OFFICE:
      return { kind: 'all' };
    case Role.UNIT_ADMIN:
    case Role.UNIT_STAFF: {
      const unit = await directory.unit(viewer.unitId!);
      if (!unit || unit.archived) return { kind: 'none' };
      const dir = await directory.current();
      const led = dir.domainLedBy(unit.id);
      const unitIds = led ? [...new Set([unit.id, ...dir.unitsOfDomain(led).map((u) => u.id)])] : [unit.id];
      return { kind: 'unit', ownUnitId: unit.id, unitIds };
    }
    case Role.ENTERPRISE:
      return { kind: 'enterprise', creditCode: viewer.enterprise! };
    case Role.OBSERVER:
      return { kind: 'observer', subject: viewer.subject! };
    default:
      return { kind: 'none' };
  }
}

export function canSee(scope: IssueScope, issue: IssueRow): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'unit':
      return (issue.responsibleUnitId !== null && scope.unitIds.includes(issue.responsibleUnitId)) || issue.reporterUnitId === scope.ownUnitId;
    case 'enterprise':
      return issue.reporterEnterprise === scope.creditCode;
    case 'observer':
      return issue.reporterRole === Role.OBSERVER && issue.reporterSubject === scope.subject;
    default:
      return false;
  }
}

/** How the caller stands to an issue it can see, for the state machine. */
export function standingOf(viewer: Viewer, issue: IssueRow): Standing {
  if (viewer.role === Role.COMMAND_OFFICE) return 'COMMAND_OFFICE';
  if (viewer.unitId && issue.responsibleUnitId === viewer.unitId) {
    if (viewer.role === Role.UNIT_ADMIN) return 'RESPONSIBLE_UNIT_ADMIN';
    if (viewer.role === Role.UNIT_STAFF) return 'RESPONSIBLE_UNIT_STAFF';
  }
  if (viewer.role === Role.ENTERPRISE && issue.reporterEnterprise === viewer.enterprise) return 'REPORTING_ENTERPRISE';
  return 'OTHER';
}
