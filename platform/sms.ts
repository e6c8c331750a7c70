/**
 * SMS through the city's government SMS gateway, as an HTTP adapter (issue #25 §3): a JSON POST
 * `{ phone, content }` to SMS_GATEWAY_URL with basic credentials (SMS_GATEWAY_USER,
 * SMS_GATEWAY_PASSWORD); any 2xx is sent. Without the URL nothing is sent and the delivery is
 * recorded NOT_SENT — never dropped silently. Phone numbers appear in logs masked only.
 */
import type { OutboxEnv } from './env.ts';

export interface SmsResult {
  outcome: 'DELIVERED' | 'FAILED' | 'NOT_SENT' | 'CAPPED';
  status?: number;
  error?: string;
}

/** `13812345678` → `138****5678`. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\s+/g, '');
  if (digits.length < 7) return '*'.repeat(digits.length);
  return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
}

/** The Chinese template every SMS follows: the signature, the notice's title and body. */
export function smsText(signature: string, title: string, body: string): string {
  return `${signature}${title}：${body}`;
}

export async function sendSms(
  settings: OutboxEnv['sms'],
  message: { phone: string; text: string },
  signal: AbortSignal,
  timeoutMs: number,
): Promise<SmsResult> {
  if (!settings.url) return { outcome: 'NOT_SENT', error: 'SMS_GATEWAY_URL not set / 未配置短信网关' };
  if (!message.phone) return { outcome: 'NOT_SENT', error: 'no phone number / 无手机号' };
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (settings.user) headers.authorization = `Basic ${Buffer.from(`${settings.user}:${settings.password ?? ''}`).toString('base64')}`;
  try {
    const response = await fetch(settings.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ phone: message.phone, content: message.text }),
      redirect: 'error',
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    await response.body?.cancel().catch(() => {});
    if (response.ok) return { outcome: 'DELIVERED', status: response.status };
    return { outcome: 'FAILED', status: response.status, error: `SMS gateway answered HTTP ${response.status}` };
  } catch (error) {
    return { outcome: 'FAILED', error: `SMS gateway: ${(error as Error).message}` };
  }
}
