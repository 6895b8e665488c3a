import { createContext, useContext } from "react";
import type { Merchant } from "./api/types";

export interface Session {
  merchant: Merchant;
  setMerchant: (merchant: Merchant) => void;
}

export const SessionContext = createContext<Session | null>(null);

// The signed-in merchant; only available inside the dashboard layout.
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession must be used inside the dashboard");
  return session;
}
