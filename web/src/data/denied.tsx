/** Where an action is not offered to this role: says so, instead of leaving people to wonder. */
export function Denied({ children }: { children: string }) {
  return <p className="denied">{children}</p>;
}
