import { useTranslation } from '../i18n';

interface Props {
  label: string;
  kind: 'audioinput' | 'videoinput';
  devices: MediaDeviceInfo[];
  value: string;
  onChange: (deviceId: string) => void;
}

/** A select of the cameras or microphones the browser lists. */
export function DevicePicker({ label, kind, devices, value, onChange }: Props) {
  const { t } = useTranslation('call');
  const options = devices.filter((d) => d.kind === kind);
  return (
    <label className="field call-device">
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={`call-device-${kind}`} disabled={options.length === 0}>
        {options.length === 0 && <option value="">{t('noDevices')}</option>}
        {options.map((d, i) => (
          <option key={d.deviceId || i} value={d.deviceId}>
            {d.label || t('deviceN', { kind: t(kind === 'audioinput' ? 'microphone' : 'camera'), n: i + 1 })}
          </option>
        ))}
      </select>
    </label>
  );
}
