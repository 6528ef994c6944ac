/** The shape of the typed handler map: one handler per signalling request type. */
import type { SfuRequestData, SfuRequestType, SfuResponseData } from '@cc/protocol';
import type { Session } from './session.js';

type Handler<T extends SfuRequestType> = (session: Session, data: SfuRequestData<T>) => Promise<SfuResponseData<T>>;
export type HandlerMap = { [T in SfuRequestType]: Handler<T> };
