export {
  enableTfjsAutolog, disableTfjsAutolog, tfjsAutologEnabled, type TfjsAutologOptions, type TfjsAutologHooks,
} from './tfjs';
export { autologWarnings } from './messages';
