/**
 * `npm run token -- --role UNIT_STAFF --unit MARKET_REGULATION_BUREAU` prints a development token.
 * Units are named by code (seeded units have the same id everywhere) or by id (a unit created
 * later); an enterprise by its credit code (a sample one is picked, and named, when none is given).
 * `--list` prints the seeded units' codes and the sample enterprises' credit codes. Only for the
 * development secret: production tokens come from the city's identity provider.
 *
 * Every refusal is one line in Chinese and English saying what to do, and exit code 1.
 */
import { parseArgs } from 'node:util';
import { roles, signToken, type Role } from '../platform/auth.ts';
import { loadEnv } from '../platform/env.ts';
import { startupRefusal } from '../platform/entry.ts';
import { isUuid } from '../platform/input.ts';
import { COMMAND_OFFICE_CODE, referenceUnits, sampleEnterprises, unitIdForCode } from '../db/reference/organisation.ts';
import { creditCodeProblem, creditCodeProblemMessages, normalizeCreditCode } from '../platform/credit-code.ts';
import { present } from '../platform/invariant.ts';

const USAGE = `用法 / usage: npm run token -- --role <${roles.join('|')}> [--unit <code|id>] [--enterprise <credit code>] [--institution <id> [--branch <id>]] [--sub <subject>] [--expires 8h] | --list`;

function fail(zh: string, en: string): never {
  console.error(`${zh} / ${en}`);
  console.error(USAGE);
  process.exit(1);
}

function list(): void {
  console.log('单位代码 / unit codes (--unit):');
  const width = Math.max(...referenceUnits.map((unit) => unit.code.length));
  for (const unit of referenceUnits) console.log(`  ${unit.code.padEnd(width)}  ${unit.name}`);
  console.log('样例企业 / sample enterprises (--enterprise):');
  for (const enterprise of sampleEnterprises()) console.log(`  ${enterprise.creditCode}  ${enterprise.name}`);
}

let values: {
  role?: string;
  unit?: string;
  enterprise?: string;
  institution?: string;
  branch?: string;
  sub?: string;
  expires: string;
  list?: boolean;
};
try {
  values = parseArgs({
    options: {
      role: { type: 'string' },
      unit: { type: 'string' },
      enterprise: { type: 'string' },
      institution: { type: 'string' },
      branch: { type: 'string' },
      sub: { type: 'string' },
      expires: { type: 'string', default: '8h' },
      list: { type: 'boolean' },
    },
  }).values as typeof values;
} catch (error) {
  fail('参数有误', (error as Error).message);
}

if (values.list) {
  list();
  process.exit(0);
}

// A developer's tool: without DEVELOPMENT_MODE=false it signs with the development secret, unless JWT_SECRET is set.
// With DEVELOPMENT_MODE=false and no key, the settings are refused as a start refuses them: one line.
let env: ReturnType<typeof loadEnv>;
try {
  env = loadEnv(process.env, [], { developmentByDefault: true });
} catch (error) {
  const line = startupRefusal(error);
  if (!line) throw error;
  console.error(line);
  process.exit(1);
}
if (env.auth.jwksUrl || !env.auth.jwtSecret) {
  fail(
    '已设置 JWT_JWKS_URL：令牌由身份认证系统签发，不在此生成',
    'JWT_JWKS_URL is set: tokens come from the identity provider, not from here',
  );
}
const role = values.role as Role | undefined;
if (!role || !roles.includes(role)) fail(`--role 应为 ${roles.join('、')} 之一`, `--role must be one of ${roles.join(', ')}`);

let unitId: string | undefined;
const unitArg = values.unit ?? (role === 'COMMAND_OFFICE' ? COMMAND_OFFICE_CODE : undefined);
if (unitArg) {
  if (isUuid(unitArg)) unitId = unitArg;
  else if (referenceUnits.some((unit) => unit.code === unitArg.toUpperCase())) unitId = unitIdForCode(unitArg.toUpperCase());
  else {
    fail(
      `没有代码为 ${unitArg} 的单位；可用 npm run token -- --list 查看全部代码，之后创建的单位请用其 id`,
      `no unit has the code ${unitArg}; npm run token -- --list prints every code (${referenceUnits
        .slice(0, 4)
        .map((unit) => unit.code)
        .join(', ')}, …); name a unit created later by its id`,
    );
  }
}
if ((role === 'UNIT_ADMIN' || role === 'UNIT_STAFF') && !unitId)
  fail(`--role ${role} 需要 --unit <单位代码>`, `--role ${role} needs --unit <unit code>`);

let enterprise: string | undefined;
if (values.enterprise) {
  enterprise = normalizeCreditCode(values.enterprise);
  const problem = creditCodeProblem(enterprise);
  if (problem) fail(creditCodeProblemMessages[problem].zh, creditCodeProblemMessages[problem].en);
} else if (role === 'ENTERPRISE') {
  const picked = present(sampleEnterprises()[0], 'a sample enterprise');
  enterprise = picked.creditCode;
  console.error(
    `未指定 --enterprise，使用样例企业 ${picked.name}（${picked.creditCode}） / no --enterprise given: using the sample enterprise ${picked.creditCode}`,
  );
}

// A financial institution (青融通) and, optionally, one of its branches: by id, as the financing slice knows them.
for (const [option, value] of [
  ['--institution', values.institution],
  ['--branch', values.branch],
] as const) {
  if (value !== undefined && !isUuid(value)) fail(`${option} 须为编号（UUID）：${value}`, `${option} must be an id (a UUID): ${value}`);
}
if (role === 'FINANCIAL_INSTITUTION' && !values.institution)
  fail(`--role ${role} 需要 --institution <金融机构编号>`, `--role ${role} needs --institution <institution id>`);
if (values.branch && !values.institution) fail('--branch 须与 --institution 同时给出', '--branch needs --institution beside it');
if ((values.institution || values.branch) && role !== 'FINANCIAL_INSTITUTION')
  fail(
    `--institution、--branch 只用于 --role FINANCIAL_INSTITUTION`,
    `--institution and --branch are for --role FINANCIAL_INSTITUTION only`,
  );

const claims = {
  sub: values.sub ?? `dev-${role.toLowerCase()}-${unitArg ?? enterprise ?? values.branch ?? values.institution ?? 'user'}`,
  role,
  ...(unitId ? { unit: unitId } : {}),
  ...(enterprise ? { enterprise } : {}),
  ...(values.institution ? { institution: values.institution } : {}),
  ...(values.branch ? { branch: values.branch } : {}),
};
let token: string;
try {
  token = await signToken(claims, { secret: env.auth.jwtSecret, issuer: env.auth.issuer, audience: env.auth.audience }, values.expires);
} catch (error) {
  // jose refuses a lifetime it cannot read ("banana") with a TypeError.
  if (!(error instanceof TypeError)) throw error;
  fail(
    `--expires "${values.expires}" 不是有效时长（如 30m、8h、2d）`,
    `--expires "${values.expires}" is not a duration (e.g. 30m, 8h, 2d)`,
  );
}
console.log(token);
