"""Write the hand-aligned test text (a product manual plus a short launch announcement).

The text was written for this project's tests: Chinese original and a faithful English
translation by the same author, aligned by hand while translating. Each paragraph below is a
list of links ``(zh sentences, en sentences)``; running this script writes

* ``manual.zh.txt`` / ``manual.en.txt`` — one paragraph per line, blank line between (what a user
  would feed the aligner),
* ``manual.zh.sent.txt`` / ``manual.en.sent.txt`` — one sentence per line (what the segmenter must
  reproduce),
* ``manual.gold.jsonl`` — the hand alignment, sentence indices counted from 0.

Run: ``python tests/data/align/make_manual.py`` (deterministic; the outputs are committed).
"""

import json
from pathlib import Path

P = [
    [(["星火PS-1000便携式储能电源用户手册"], ["Xinghuo PS-1000 Portable Power Station User Manual"])],
    [
        (["感谢您选购深圳星火能源科技有限公司的产品。"],
         ["Thank you for purchasing this product from Shenzhen Xinghuo Energy Technology."]),
        (["使用前请仔细阅读本手册，并妥善保管，以便日后查阅。"],
         ["Please read this manual carefully before use.", "Keep it in a safe place for future reference."]),
        (["本手册适用于PS-1000及PS-1000 Pro两款机型，如无特别说明，内容对两款机型均适用。"],
         ["This manual covers two models, the PS-1000 and the PS-1000 Pro; unless otherwise stated, its contents apply to both."]),
    ],
    [(["一、产品概述"], ["1. Product Overview"])],
    [
        (["PS-1000是一款面向户外露营、应急备电和移动办公的便携式储能电源。"],
         ["The PS-1000 is a portable power station designed for outdoor camping, emergency backup power and mobile working."]),
        (["它采用磷酸铁锂电芯，额定容量为1024瓦时，循环寿命可达3500次，整机重量约11.5千克。"],
         ["It uses lithium iron phosphate cells.",
          "Its rated capacity is 1,024 Wh and its cycle life reaches 3,500 cycles.",
          "The unit weighs approx. 11.5 kg."]),
        (["电源配备2个交流输出插座、4个USB-A接口、2个USB-C接口和1个车充接口，最多可同时为9台设备供电。"],
         ["The power station has two AC outlets, four USB-A ports, two USB-C ports and one car charger port, and can power up to nine devices at the same time."]),
        (["交流输出功率为1800瓦。", "峰值功率可达3600瓦。"],
         ["Its AC output is rated at 1,800 W, with a peak of 3,600 W."]),
        (["在“节能模式”下，设备空载十分钟后将自动关闭交流输出。"],
         ["In \"Eco mode\", the AC output switches off automatically after ten minutes without a load."]),
    ],
    [(["二、安全须知"], ["2. Safety Instructions"])],
    [
        (["请勿将电源置于高温、潮湿或有腐蚀性气体的环境中。"],
         ["Do not place the power station in hot or humid places or where there are corrosive gases."]),
        (["工作环境温度为-10℃至40℃，超出此范围时电池管理系统会限制充放电功率，以保护电芯。"],
         ["The operating temperature range is -10°C to 40°C.",
          "Outside this range, the battery management system limits the charging and discharging power to protect the cells."]),
        (["请勿拆卸、挤压、刺穿或焚烧本产品。"], ["Do not disassemble, crush, puncture or incinerate this product."]),
        (["如发现外壳鼓胀、异味或冒烟，请立即停止使用，并联系售后服务中心。"],
         ["If you notice a swollen casing, an unusual smell or smoke, stop using the product immediately and contact the after-sales service center."]),
        (["儿童应在成人监护下使用。", "请将本产品放在儿童接触不到的地方。"],
         ["Children should use it only under adult supervision, and the product should be kept out of their reach."]),
        (["本产品符合《便携式电子产品用锂离子电池和电池组安全技术规范》（GB 31241-2022）的要求。"],
         ["This product meets the requirements of GB 31241-2022, \"Lithium ion cells and batteries used in portable electronic equipment: Safety technical specification.\""]),
    ],
    [(["三、充电方式"], ["3. Charging"])],
    [
        (["本产品支持交流市电、太阳能板和车载充电三种充电方式。"],
         ["The product can be charged in three ways: from AC mains power, from solar panels or from a vehicle."]),
        (["使用交流市电充电时，将随附的电源线一端插入电源背面的交流输入口，另一端插入墙壁插座，约1.5小时即可充满，开启快充模式后最快70分钟可充至100%。"],
         ["To charge from AC mains power, plug one end of the supplied power cord into the AC input on the back of the power station and the other end into a wall outlet.",
          "A full charge takes about 1.5 hours.",
          "With fast charging turned on, it can reach 100% in as little as 70 minutes."]),
        (["使用太阳能板充电时，输入电压应在12伏至60伏之间，最大输入功率为600瓦，建议使用两块300瓦太阳能板串联。"],
         ["For solar charging, the input voltage must be between 12 V and 60 V and the maximum input power is 600 W.",
          "We recommend connecting two 300 W solar panels in series."]),
        (["太阳能充电时间受光照强度、天气和板面角度影响，实际时间可能与标称值不同。"],
         ["Solar charging time depends on sunlight intensity, weather and panel angle, so the actual time may differ from the rated figure."]),
        (["车载充电仅适用于12伏或24伏点烟器接口，充电功率为120瓦。"],
         ["Car charging works only with 12 V or 24 V cigarette lighter sockets, at 120 W."]),
        (["充电时屏幕会显示剩余充电时间。", "电量指示灯会依次闪烁。"],
         ["While charging, the screen shows the remaining charging time and the battery indicators flash in sequence."]),
    ],
    [(["四、使用方法"], ["4. Operation"])],
    [
        (["（1）长按电源键2秒开机，屏幕点亮并显示剩余电量。"],
         ["(1) Press and hold the power button for 2 seconds to switch the unit on; the screen lights up and shows the remaining charge."]),
        (["（2）按下交流输出键，指示灯亮起后即可为交流设备供电。"],
         ["(2) Press the AC output button; once its indicator lights up, you can power AC devices."]),
        (["（3）USB和车充接口默认处于开启状态，插入设备即可使用，不需要另外操作。"],
         ["(3) The USB and car charger ports are on by default.", "Simply plug in a device to use them; nothing else is needed."]),
        (["（4）使用完毕后，长按电源键2秒关机。"],
         ["(4) When you have finished, press and hold the power button for 2 seconds to switch the unit off."]),
    ],
    [
        (["连接手机应用后，您可以远程查看电量、调整充电速度，并接收固件升级通知。"],
         ["With the mobile app connected, you can check the charge level remotely, adjust the charging speed and receive firmware update notifications."]),
        (["应用支持Wi-Fi和蓝牙两种连接方式。", "首次连接时需在应用中注册账号，并按提示添加设备。"],
         ["The app connects over Wi-Fi or Bluetooth, and the first time you connect you need to register an account in the app.",
          "Then follow the prompts to add the device."]),
        (["当电量低于10%时，屏幕上的电池图标会变为红色并闪烁，提醒您及时充电。"],
         ["When the charge drops below 10%, the battery icon on the screen turns red and flashes to remind you to recharge."]),
        (["为延长电池寿命，建议将电量保持在20%至80%之间。"],
         ["To extend battery life, we recommend keeping the charge between 20% and 80%."]),
    ],
    [(["五、存放与维护"], ["5. Storage and Maintenance"])],
    [
        (["长期不用时，请将电量充至60%左右，并每三个月补充一次电量，避免电池因过度放电而损坏。"],
         ["If the unit will not be used for a long time, charge it to about 60%.",
          "Top it up once every three months so that the battery is not damaged by over-discharge."]),
        (["请用干燥的软布清洁外壳，切勿使用酒精、汽油等有机溶剂。"],
         ["Clean the casing with a dry, soft cloth; never use organic solvents, e.g. alcohol or petrol."]),
        (["运输时请关闭所有输出，并使用原包装或具有缓冲作用的包装箱。"],
         ["During transport, switch off all outputs and use the original packaging or a padded box."]),
        (["本产品属于锂电池产品。", "航空运输须遵守各航空公司的相关规定。"],
         ["As a lithium battery product, it may only be carried by air in accordance with each airline's rules."]),
    ],
    [(["六、常见问题"], ["6. Troubleshooting"])],
    [
        (["问：为什么交流输出无法开启？"], ["Q: Why won't the AC output turn on?"]),
        (["答：可能是负载功率超过1800瓦，触发了过载保护，请减少连接的设备后重新开启。"],
         ["A: The load may exceed 1,800 W and have triggered overload protection.",
          "Disconnect some devices and turn the output on again."]),
        (["问：屏幕显示错误代码E03是什么意思？"], ["Q: What does error code E03 on the screen mean?"]),
        (["答：E03表示电池温度过高，请将电源移至阴凉通风处，待温度下降后再使用。"],
         ["A: E03 means the battery is too hot; move the power station to a cool, well-ventilated place and wait for it to cool down before using it again."]),
        (["问：可以一边充电一边放电吗?"], ["Q: Can I charge and discharge at the same time?"]),
        (["答：可以，本产品支持边充边放，但同时使用时电池寿命会略有缩短，不建议长时间这样使用。"],
         ["A: Yes, the product supports pass-through charging.",
          "However, doing so slightly shortens battery life, so we do not recommend it for long periods."]),
    ],
    [(["七、保修说明"], ["7. Warranty"])],
    [
        (["自购买之日起，本产品享有24个月的免费保修服务。"],
         ["This product comes with a free 24-month warranty from the date of purchase."]),
        (["保修期内，因产品质量问题导致的故障，公司将免费维修或更换，人为损坏、私自拆修以及不可抗力造成的损坏不在保修范围内，保修时请出示购买凭证。"],
         ["During the warranty period, we will repair or replace the product free of charge if a fault is caused by a quality defect.",
          "Damage caused by misuse, unauthorized disassembly or repair, or force majeure is not covered.",
          "Please present proof of purchase when you make a warranty claim."]),
        (["售后服务热线为400-800-1234，服务时间为每天9:00至21:00。"],
         ["Our after-sales hotline is 400-800-1234, open daily from 9:00 to 21:00."]),
        (["更多信息请访问官方网站www.xinghuo-energy.com。"],
         ["For more information, visit our official website at www.xinghuo-energy.com."]),
    ],
    [(["八、技术参数"], ["8. Specifications"])],
    [(["电池容量：1024瓦时（51.2伏，20安时）"], ["Battery capacity: 1,024 Wh (51.2 V, 20 Ah)"])],
    [(["交流输出：220伏，50赫兹，纯正弦波"], ["AC output: 220 V, 50 Hz, pure sine wave"])],
    [(["尺寸：385×260×280毫米"], ["Dimensions: 385 × 260 × 280 mm"])],
    [(["工作温度：-10℃至40℃"], ["Operating temperature: -10°C to 40°C"])],
    [(["附录：产品发布消息"], ["Appendix: Product Launch Announcement"])],
    [
        (["2024年3月15日，深圳星火能源科技有限公司在深圳发布了PS-1000系列便携式储能电源。"],
         ["On March 15, 2024, Shenzhen Xinghuo Energy Technology launched the PS-1000 series of portable power stations in Shenzhen."]),
        (["公司总经理李明表示，该系列产品历时两年研发，已获得12项国家专利，首批产品将于4月上市。"],
         ["Li Ming, the company's general manager, said the series had taken two years to develop and had been granted 12 national patents.",
          "The first units will go on sale in April."]),
        (["据介绍，PS-1000的首发价格为3999元，比上一代产品降低了约20%。"],
         ["According to the company, the PS-1000 launches at a price of 3,999 yuan, about 20% lower than the previous generation."]),
        (["中国化学与物理电源行业协会的数据显示，2023年我国便携式储能产品出货量约为480万台。", "其中约八成销往海外市场。"],
         ["Data from the China Industrial Association of Power Sources show that about 4.8 million portable power storage units were shipped from China in 2023, roughly 80% of them to overseas markets."]),
        (["业内人士认为，随着户外休闲和家庭应急需求的增长，这一市场仍有较大发展空间。"],
         ["Industry insiders believe that, with growing demand for outdoor recreation and home emergency power, the market still has considerable room to grow."]),
    ],
]


def main() -> None:
    here = Path(__file__).resolve().parent
    zi = ei = 0
    gold, zpar, epar = [], [], []
    for para in P:
        zs, es = [], []
        for z, e in para:
            gold.append({"zh": list(range(zi, zi + len(z))), "en": list(range(ei, ei + len(e)))})
            zi += len(z)
            ei += len(e)
            zs += z
            es += e
        zpar.append(zs)
        epar.append(es)
    (here / "manual.zh.txt").write_text("\n\n".join("".join(p) for p in zpar) + "\n", encoding="utf-8")
    (here / "manual.en.txt").write_text("\n\n".join(" ".join(p) for p in epar) + "\n", encoding="utf-8")
    (here / "manual.zh.sent.txt").write_text("\n\n".join("\n".join(p) for p in zpar) + "\n", encoding="utf-8")
    (here / "manual.en.sent.txt").write_text("\n\n".join("\n".join(p) for p in epar) + "\n", encoding="utf-8")
    (here / "manual.gold.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gold), encoding="utf-8")
    kinds: dict[str, int] = {}
    for g in gold:
        k = f"{len(g['zh'])}-{len(g['en'])}"
        kinds[k] = kinds.get(k, 0) + 1
    print(f"{zi} zh sentences, {ei} en sentences, {len(gold)} links: {kinds}")


if __name__ == "__main__":
    main()
