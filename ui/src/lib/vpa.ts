// A UPI Virtual Payment Address, e.g. "name.surname@okbank".
const VPA_PATTERN = /^[a-zA-Z0-9._-]+@[a-zA-Z0-9]+$/;

export function isValidVpa(vpa: string): boolean {
  return VPA_PATTERN.test(vpa.trim());
}
