/**
 * `user` is `USER[:GROUP]` (a name or a numeric id). Root is the user `root` or UID 0 whatever the
 * group; `1000:0` (root group, non-root user) is not root. An empty user part (`""`, `:1000`, an
 * unset `${UID}`) leaves the image's default user.
 */
export function classifyUser(value: string): 'root' | 'empty' | 'non-root' {
  const userPart = value.trim().split(':')[0]!.trim();
  if (userPart === '') return 'empty';
  if (userPart === 'root' || /^0+$/.test(userPart)) return 'root';
  return 'non-root';
}
